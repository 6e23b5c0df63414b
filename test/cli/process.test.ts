// The CLI process's part of relaying (issue 12.1): which arguments are files, and a server's proof
// that it holds the key before anything is sent to it.
import { describe, expect, it } from 'vitest';
import { withAbsolutePaths } from '../../src/cli/process.js';
import { keyProof, localUrlOf } from '../../src/local-server.js';

describe('file names in a command line', () => {
  it("makes the files absolute: import's file wherever it stands, and the values of file options", () => {
    expect(withAbsolutePaths(['import', 'data.jsonl', '--name', 'x'], '/home/me')).toEqual(['import', '/home/me/data.jsonl', '--name', 'x']);
    expect(withAbsolutePaths(['import', '--name', 'x', 'data.jsonl'], '/home/me')).toEqual(['import', '--name', 'x', '/home/me/data.jsonl']);
    expect(withAbsolutePaths(['import', '--help'], '/home/me')).toEqual(['import', '--help']);
    expect(withAbsolutePaths(['export', 'b1', '--out', 'a.csv'], '/w')).toEqual(['export', 'b1', '--out', '/w/a.csv']);
    expect(withAbsolutePaths(['export', 'b1', '--out=a.csv'], '/w')).toEqual(['export', 'b1', '--out=/w/a.csv']);
    expect(withAbsolutePaths(['batch', 'show', 'name'], '/w')).toEqual(['batch', 'show', 'name']);
  });
});

describe('the local server note', () => {
  it('proves the key with an HMAC of a nonce, and reaches wildcard and IPv6 hosts', () => {
    expect(keyProof('k'.repeat(40), 'ab'.repeat(8))).toMatch(/^[0-9a-f]{64}$/);
    expect(keyProof('k'.repeat(40), 'ab'.repeat(8))).not.toBe(keyProof('j'.repeat(40), 'ab'.repeat(8)));
    expect(localUrlOf('0.0.0.0', 3000)).toBe('http://127.0.0.1:3000');
    expect(localUrlOf('::', 3000)).toBe('http://[::1]:3000');
    expect(localUrlOf('::1', 3000)).toBe('http://[::1]:3000');
    expect(localUrlOf('192.168.1.5', 3000)).toBe('http://192.168.1.5:3000');
  });
});
