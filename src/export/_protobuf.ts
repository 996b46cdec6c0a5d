// Protocol Buffers wire format, write side only: the few field kinds an ONNX model needs.
//
// A message is a sequence of fields, each a key then a value. The key is the varint (field number << 3 | wire
// type); wire type 0 is a varint, 2 a length-delimited byte string (strings, bytes, nested messages, packed
// arrays) and 5 a little-endian 32-bit value (float). See https://protobuf.dev/programming-guides/encoding/.

const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

/** The bytes of one protobuf message, built field by field in the order the fields are written. */
export class ProtoWriter {
  #chunks: Uint8Array[] = [];
  #length = 0;

  #push(bytes: Uint8Array): void {
    this.#chunks.push(bytes);
    this.#length += bytes.length;
  }

  /** Number of bytes written so far. */
  get length(): number {
    return this.#length;
  }

  #key(field: number, wireType: number): void {
    this.#push(encodeVarint(field * 8 + wireType));
  }

  /** A varint field (int32, int64 or enum); a negative value is written as its 64-bit two's complement. */
  varint(field: number, value: number): this {
    this.#key(field, WIRE_VARINT);
    this.#push(encodeVarint(value));
    return this;
  }

  /** A string field, UTF-8 encoded. */
  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  /** A bytes field. */
  bytes(field: number, value: Uint8Array): this {
    this.#key(field, WIRE_LENGTH_DELIMITED);
    this.#push(encodeVarint(value.length));
    this.#push(value);
    return this;
  }

  /** A nested message field. */
  message(field: number, value: ProtoWriter): this {
    return this.bytes(field, value.finish());
  }

  /** A float field: the value rounded to float32, 4 bytes little-endian. */
  float32(field: number, value: number): this {
    this.#key(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.#push(bytes);
    return this;
  }

  /** The message's bytes, one contiguous array. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.#length);
    let offset = 0;
    for (const chunk of this.#chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
    return out;
  }
}

/**
 * An integer as a base-128 varint: 7 bits per byte, least significant group first, the high bit set on every
 * byte but the last (150 → 0x96 0x01). A negative integer is encoded as int64 does it, its 64-bit two's complement,
 * which always takes 10 bytes (−1 → nine 0xff then 0x01). An unsafe integer is a RangeError.
 */
export function encodeVarint(value: number): Uint8Array {
  if (!Number.isSafeInteger(value)) {
    throw new RangeError(`Cannot encode a varint: expected a safe integer, got ${value}`);
  }
  const bytes: number[] = [];
  let rest = BigInt.asUintN(64, BigInt(value));
  while (rest >= 0x80n) {
    bytes.push(Number(rest & 0x7fn) | 0x80);
    rest >>= 7n;
  }
  bytes.push(Number(rest));
  return Uint8Array.from(bytes);
}
