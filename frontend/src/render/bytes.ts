// The platform's byte order, for code that reads or writes a typed array's
// bytes as wider words (a pixel as one 32-bit store, 16-bit codes as a view).

/** Whether typed arrays here store their words little-endian, as /data's bytes and ImageData's RGBA words are laid out. */
export const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
