// A DataView of the bytes being read, for reading four bytes in one load (a typed array reads one
// at a time). The hot path reads many lines of one chunk in a row, so the view of the last bytes
// asked for is kept and made again only when they change.

let viewed: Uint8Array | null = null;
let view: DataView<ArrayBufferLike> = new DataView(new ArrayBuffer(4));

/** A DataView over exactly the bytes of `b` (offset 0 is `b[0]`). */
export function viewOf(b: Uint8Array): DataView<ArrayBufferLike> {
  if (b !== viewed) {
    view = new DataView(b.buffer, b.byteOffset, b.byteLength);
    viewed = b;
  }
  return view;
}
