#!/bin/sh
# Rendered by sentinel-compose. Usage: start.sh CONF PROGRAM [ARGS...]
#
# Redis (CONFIG REWRITE during a failover) and Sentinel (on every state change) rewrite their
# config file by renaming a temporary file over it, which fails on a read-only or single-file
# mount. So the rendered CONF, mounted read-only, is copied to the data directory and PROGRAM
# runs on the copy: exec PROGRAM [ARGS...] $SC_DATA_DIR/CONF.
#
# ${NAME} references in CONF (passwords, the announce address) are filled in from the
# environment while copying; compose sets them from .env, so they never appear in compose.yaml.
#
# The copy is refreshed only when the rendered file, or a value filled in, changed since the
# last copy (kept as .CONF.rendered). A restart keeps what Redis and Sentinel wrote at run time
# (who is master after a failover, epochs, known sentinels); a re-render that changes the
# config replaces it on the next start.
set -eu
conf=$1
shift
src_dir=${SC_CONFIG_DIR:-/etc/sentinel-compose}
data_dir=${SC_DATA_DIR:-/data}
umask 077
next="$data_dir/.$conf.next"
awk '
  {
    out = ""
    line = $0
    while ((i = index(line, "${")) > 0) {
      rest = substr(line, i + 2)
      j = index(rest, "}")
      if (j == 0) break
      name = substr(rest, 1, j - 1)
      if (!(name in ENVIRON) || ENVIRON[name] == "") {
        print "start.sh: " name " is empty or not set; compose takes it from the .env beside compose.yaml" > "/dev/stderr"
        failed = 1
        exit 3
      }
      out = out substr(line, 1, i - 1) ENVIRON[name]
      line = substr(rest, j + 1)
    }
    print out line
  }
' "$src_dir/$conf" >"$next"
if [ -f "$data_dir/$conf" ] && [ -f "$data_dir/.$conf.rendered" ] && cmp -s "$next" "$data_dir/.$conf.rendered"; then
  rm -f "$next"
else
  cp "$next" "$data_dir/$conf"
  mv "$next" "$data_dir/.$conf.rendered"
  echo "start.sh: $data_dir/$conf written from $src_dir/$conf"
fi
exec "$@" "$data_dir/$conf"
