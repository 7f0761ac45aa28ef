import { isIP } from 'node:net';
import { badPort, ConfigError } from '../../kernel/index.js';
import type { PeerAddress } from '../../kernel/index.js';
import { isValidHost } from './messages.js';

/**
 * `HOST:PORT`, `[IPv6]:PORT`, optionally with a `tcp://` prefix, as typed in `--tracker` and
 * `--peer`. A bad value is a ConfigError naming what was typed.
 */
export function parseHostPort(text: string): PeerAddress {
  const bad = (why: string): ConfigError =>
    new ConfigError('ADDRESS_INVALID', `'${text}' is not a HOST:PORT address (${why}), e.g. 127.0.0.1:60825`, { value: text });
  if (typeof text !== 'string') throw new ConfigError('ADDRESS_INVALID', 'an address must be a HOST:PORT string, e.g. 127.0.0.1:60825');
  const value = text.trim().replace(/^tcp:\/\//i, '');
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  if (bracketed && isIP(bracketed[1]!) !== 6) throw bad('only IPv6 hosts go in brackets');
  const match = bracketed ?? /^([^:[\]]+):(\d+)$/.exec(value);
  if (!match)
    throw bad(/:.*:/.test(value) && !value.startsWith('[') ? 'IPv6 hosts go in brackets' : 'expected HOST:PORT with a numeric port');
  const [, host, portText] = match as unknown as [string, string, string];
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw bad(badPort('the port', portText, 1));
  if (!isValidHost(host)) throw bad('the host is not an IP address or DNS name');
  return { host, port };
}

export function formatHostPort(address: PeerAddress): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}
