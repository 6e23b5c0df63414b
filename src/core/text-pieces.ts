// Long text cut into pieces, each a whole number of characters: a piece never ends between the two
// halves of a surrogate pair (an emoji), so each can be encoded, hashed or sent on its own.

/** `text` in pieces of at most `size` UTF-16 units (one less where a pair would be cut). */
export function textPieces(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let at = 0; at < text.length; ) {
    let end = Math.min(at + size, text.length);
    const last = text.charCodeAt(end - 1);
    if (end < text.length && last >= 0xd800 && last <= 0xdbff) end--;
    pieces.push(text.slice(at, end));
    at = end;
  }
  return pieces;
}
