# Healthcheck for the bundled sentinel image: PING over RESP, with AUTH first when
# SENTINEL_PASSWORD is set. Exit 0 on +PONG. Usage: sh healthcheck.sh HOST PORT
#
# Docker runs it every 2 s in every sentinel container. Bash's /dev/tcp does it for a few ms of
# CPU; starting Node for it cost about 140 ms each time, a tenth of a core for three sentinels,
# taken from the sentinels it checks. An image without bash (a node image of another distribution)
# gets the same check in Node: healthcheck.mjs.
if [ -z "$BASH_VERSION" ]; then
  # ${#x} below must count bytes, as RESP lengths do.
  export LC_ALL=C
  command -v bash >/dev/null 2>&1 && exec bash "$0" "$@"
  exec node "${0%/*}/healthcheck.mjs" "$@"
fi
exec 3<>"/dev/tcp/${1:-127.0.0.1}/${2:-26379}" || exit 1
resp() {
  local out="*$#"$'\r\n' a
  for a; do out+="\$${#a}"$'\r\n'"$a"$'\r\n'; done
  printf '%s' "$out" >&3
}
if [ -n "$SENTINEL_PASSWORD" ]; then resp AUTH "$SENTINEL_PASSWORD"; fi
resp PING
while IFS= read -r -t 2 line <&3; do
  case $line in
    +PONG*) exit 0 ;;
    -*) exit 1 ;;
  esac
done
exit 1
