/** Types of snappyjs 0.7 (the package ships none): Snappy block format, not framed. */
declare module 'snappyjs' {
  /** Compress to one Snappy block. */
  export function compress<T extends Uint8Array | ArrayBuffer>(input: T): T;
  /** Decompress one Snappy block. */
  export function uncompress<T extends Uint8Array | ArrayBuffer>(input: T, maxLength?: number): T;
  const snappy: { compress: typeof compress; uncompress: typeof uncompress };
  export default snappy;
}
