/**
 * The book as text in the file encoding: how a book leaves one backend and enters another
 * (`export`, `import`), and which format this release writes (doctor). Outside `store/`, the
 * encoding is reached through here only.
 */
export { BOOK_FORMAT } from './encoding/book-format.ts';
export { decodeBook, encodeBook } from './encoding/codec.ts';
export { MAX_BOOK_BYTES } from './file/read-book.ts';
