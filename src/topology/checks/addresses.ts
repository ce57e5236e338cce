import net from 'node:net';
import { DEFAULTS } from '../defaults.js';
import type { SpecRead } from '../read.js';
import { error, warning, type Finding } from './finding.js';

/**
 * bind and announce: the address the sentinels hand out must be one the nodes answer at, from
 * wherever clients connect; nodes open to the network without a password are warned about.
 */
export function addresses(spec: SpecRead): Finding[] {
  return spec.network.value === 'host' ? hostAddresses(spec) : bridgeAddresses(spec);
}

function bindIsIp(spec: SpecRead): Finding[] {
  const { bind } = spec;
  if (bind.origin !== 'spec' || net.isIP(bind.value) !== 0) return [];
  return [
    error({ path: bind.path, value: bind.value, message: 'is not an IP address', fix: 'use an address such as 127.0.0.1, or 0.0.0.0 for every interface' }),
  ];
}

function bindsAll(spec: SpecRead): boolean {
  return spec.bind.value === '0.0.0.0' || spec.bind.value === '::';
}

/** Host mode: every node listens on `bind` and is known by `announce`. */
function hostAddresses(spec: SpecRead): Finding[] {
  const { bind, announce } = spec;
  const all = bindsAll(spec);
  const findings = bindIsIp(spec);
  if (announce.origin === 'spec' && net.isIP(announce.value) !== 0 && !all && announce.value !== bind.value && net.isIP(bind.value) !== 0) {
    findings.push(
      error({
        path: announce.path,
        value: announce.value,
        message: `nodes listen only on ${bind.value} (${bind.path}), so nothing answers at the announced address`,
        fix: `set ${bind.path} to ${announce.value} or 0.0.0.0, or drop ${announce.path}`,
      }),
    );
  }
  if (announce.origin === 'spec' && announce.value === 'localhost' && !all && bind.value !== '127.0.0.1') {
    findings.push(
      error({
        path: announce.path,
        value: announce.value,
        message: `localhost is 127.0.0.1 (and ::1), but nodes listen only on ${bind.value} (${bind.path}), so nothing answers at the announced address`,
        fix: `set ${bind.path} to 127.0.0.1 or 0.0.0.0, or announce an address the nodes listen on`,
      }),
    );
  }
  if (all && !spec.auth.password.value) {
    const loopbackAnnounce = /^(127\.|::1$|localhost$)/.test(announce.value);
    findings.push(
      warning(
        loopbackAnnounce
          ? {
              path: bind.path,
              value: bind.value,
              message:
                'every node listens on all interfaces without a password: protected mode refuses clients from other machines, so only this machine can use them',
              fix: `to serve other machines, set ${spec.auth.password.path} and announce this machine's address; otherwise bind to 127.0.0.1`,
            }
          : {
              path: bind.path,
              value: bind.value,
              message:
                'every node listens on all interfaces without a password, and the nodes reach each other at a non-loopback address, so protected mode is off: anyone on your network can read and write',
              fix: `set ${spec.auth.password.path}, or bind to 127.0.0.1`,
            },
      ),
    );
  }
  return findings;
}

/** Bridge mode: ports are published on `bind`, and every container reaches the others at `announce`. */
function bridgeAddresses(spec: SpecRead): Finding[] {
  const { bind, announce } = spec;
  const findings = bindIsIp(spec);
  if (bindsAll(spec) && !spec.auth.password.value) {
    findings.push(
      warning({
        path: bind.path,
        value: bind.value,
        message: 'ports are published on every interface without a password: anyone on your network can read and write',
        fix: `set ${spec.auth.password.path} (containers reach the published ports through the gateway, so they cannot be published on loopback)`,
      }),
    );
  }
  if (/^(localhost|127\.\d+\.\d+\.\d+|::1)$/.test(announce.value)) {
    findings.push(
      error({
        path: announce.path,
        value: announce.value,
        message:
          'in bridge mode each container has its own loopback, so a loopback address announced by the sentinels reaches the wrong place from every container',
        fix: `use the host's address as both the host and the containers see it: ${DEFAULTS.bridgeAnnounce} (Docker Desktop, or Linux with an /etc/hosts entry) or your machine's LAN IP`,
      }),
    );
  }
  if (/^(127\.|::1$)/.test(bind.value)) {
    findings.push(
      error({
        path: bind.path,
        value: bind.value,
        message:
          'ports published on a loopback address cannot be reached by containers through the host gateway, so the nodes could not reach each other at their announced addresses',
        fix: 'use 0.0.0.0 (the default) or the LAN address you announce',
      }),
    );
  }
  return findings;
}
