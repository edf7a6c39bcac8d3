import { describe, expect, it } from 'vitest';
import { normaliseFilePath } from '../src/tools/files/file-path.js';

describe('normaliseFilePath accepts plain relative paths', () => {
  it.each([
    ['notes.md', 'notes.md'],
    ['notes/todo.md', 'notes/todo.md'],
    ['a/b/c/d.txt', 'a/b/c/d.txt'],
    ['.hidden', '.hidden'],
    ['file..name.txt', 'file..name.txt'],
    ['Résumé.txt', 'Résumé.txt'],
    ['Re\u0301sume\u0301.txt', 'Résumé.txt'], // decomposed input stored as NFC
    ['with space.txt', 'with space.txt'],
    ['日本語/メモ.txt', '日本語/メモ.txt'],
    ['/test', 'test'], // a leading "/" is the root of the user's files (issue 14 §5)
    ['/notes/todo.md', 'notes/todo.md'],
  ])('%j → %j', (input, expected) => {
    expect(normaliseFilePath(input)).toEqual({ ok: true, path: expected });
  });
});

describe('normaliseFilePath refuses traversal and look-alikes (docs/security.md RS-26, RS-32)', () => {
  it.each([
    ['parent traversal', '../../etc/passwd'],
    ['a root-relative traversal', '/../etc/passwd'],
    ['a root-relative dot segment', '/./a'],
    ['two leading slashes (a network path)', '//server/share'],
    ['the root itself', '/'],
    ['a root-relative backslash', '/a\\b'],
    ['percent-encoded traversal', '..%2f..%2fetc%2fpasswd'],
    ['traversal in the middle', 'a/../../x'],
    ['backslashes', '..\\..\\x'],
    ['a backslash inside a name', 'a\\b.txt'],
    ['fullwidth dots', '\uff0e\uff0e/x'],
    ['fullwidth slash', 'a\uff0fb'],
    ['one dot leader', '\u2024\u2024/x'],
    ['division slash', 'a\u2215b'],
    ['NUL', 'a\u0000.txt'],
    ['percent-encoded NUL', 'a%00.txt'],
    ['a newline', 'a\nb'],
    ['a tab', 'a\tb'],
    ['DEL', 'a\u007fb'],
    ['a C1 control', 'a\u0085b'],
    ['a bidi override', 'evil\u202etxt.exe'],
    ['a zero-width space', 'a\u200bb'],
    ['another user\'s folder', '../bob/notes.md'],
    ['a dot segment', './a'],
    ['a lone dot-dot', '..'],
    ['an empty path', ''],
    ['an empty segment', 'a//b'],
    ['a trailing slash', 'a/'],
    ['a Windows drive', 'C:/Windows/win.ini'],
    ['a home directory', '~/secrets'],
    ['leading space in a segment', ' a/b'],
    ['a 5000-character path', 'a'.repeat(5000)],
    ['256 characters', 'a'.repeat(256)],
    ['a 101-character segment', `${'a'.repeat(101)}/b`],
    ['17 levels deep', Array.from({ length: 17 }, () => 'd').join('/')],
    ['300 levels deep', Array.from({ length: 300 }, () => 'd').join('/')],
    ['a ligature (compatibility character)', '\ufb01le.txt'],
  ])('%s: %j', (_name, input) => {
    const result = normaliseFilePath(input);
    expect(result.ok).toBe(false);
  });

  it('accepts exactly the limits', () => {
    expect(normaliseFilePath(Array.from({ length: 16 }, () => 'd').join('/')).ok).toBe(true);
    expect(normaliseFilePath(`${'a'.repeat(100)}/${'b'.repeat(100)}`).ok).toBe(true);
  });
});
