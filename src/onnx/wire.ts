// The protocol-buffers wire format, the part ONNX files use: written by hand
// so the core library stays free of runtime dependencies (a protobuf package
// would be the first one in src/index.ts and in the browser bundle).
//
// A message is a sequence of fields. Each starts with a varint key
// (field number << 3 | wire type), then its value:
//   wire type 0  varint: 7 bits per byte, low bits first, high bit = "more follows"
//   wire type 1  8 bytes, little-endian (read only to skip it)
//   wire type 2  length-delimited: a varint byte count, then the bytes
//                (strings, bytes, nested messages, packed repeated numbers)
//   wire type 5  4 bytes, little-endian (a float)
// Negative int64 values are written as their 64-bit two's complement (10 bytes).

import { TorchletError } from "../errors.js";

/** Wire types. */
export const VARINT = 0, FIXED64 = 1, LENGTH_DELIMITED = 2, FIXED32 = 5;

/** Appends fields to a growing byte buffer; {@link ProtoWriter.finish} returns the message bytes. */
export class ProtoWriter {
  private buffer = new Uint8Array(64);
  private length = 0;

  private reserve(extra: number): void {
    if (this.length + extra <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.length + extra));
    grown.set(this.buffer.subarray(0, this.length));
    this.buffer = grown;
  }

  /** A bare varint (no key); negative numbers as 64-bit two's complement. */
  varint(value: number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    this.reserve(10);
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  private key(field: number, wireType: number): void {
    this.varint(field * 8 + wireType);
  }

  /** An integer field (int32, int64, enum). */
  int(field: number, value: number): void {
    this.key(field, VARINT);
    this.varint(value);
  }

  /** A float field, 4 bytes little-endian. */
  float(field: number, value: number): void {
    this.key(field, FIXED32);
    this.reserve(4);
    new DataView(this.buffer.buffer).setFloat32(this.length, value, true);
    this.length += 4;
  }

  /** A length-delimited field: bytes, a nested message's bytes, or packed numbers. */
  bytes(field: number, value: Uint8Array): void {
    this.key(field, LENGTH_DELIMITED);
    this.varint(value.length);
    this.reserve(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }

  /** A UTF-8 string field. */
  string(field: number, value: string): void {
    this.bytes(field, new TextEncoder().encode(value));
  }

  /** A packed repeated integer field: one length-delimited run of varints. */
  packedInts(field: number, values: readonly number[]): void {
    const inner = new ProtoWriter();
    for (const v of values) inner.varint(v);
    this.bytes(field, inner.finish());
  }

  /** A packed repeated float field: one length-delimited run of 4-byte floats. */
  packedFloats(field: number, values: ArrayLike<number>): void {
    this.bytes(field, float32Bytes(values));
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }
}

/** Float values as little-endian float32 bytes (ONNX raw_data and packed floats). */
export function float32Bytes(values: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return out;
}

/** One field read from a message: a varint as a bigint, any other wire type as its bytes. */
export interface WireField {
  readonly field: number;
  readonly wireType: number;
  readonly value: bigint | Uint8Array;
}

/**
 * The fields of one message, in order.
 * @param what the message, for errors, e.g. "onnx: GraphProto".
 * @throws TorchletError BAD_FORMAT on a truncated field, an overlong varint, field number 0 or an unknown wire type.
 */
export function readFields(bytes: Uint8Array, what: string): WireField[] {
  const fields: WireField[] = [];
  let at = 0;
  const fail = (message: string): never => {
    throw new TorchletError(what, "BAD_FORMAT", `${message} at byte ${at} of ${bytes.length}`);
  };
  const take = (n: number): Uint8Array => {
    if (n > bytes.length - at) fail(`a field needs ${n} bytes but the message ends`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const varint = (): bigint => {
    const [value, next] = readVarint(bytes, at, what);
    at = next;
    return value;
  };
  while (at < bytes.length) {
    const key = varint();
    const field = Number(key >> 3n), wireType = Number(key & 7n);
    if (field === 0 || field > 2 ** 29 - 1) fail(`invalid field number ${field}`);
    if (wireType === VARINT) fields.push({ field, wireType, value: varint() });
    else if (wireType === FIXED64) fields.push({ field, wireType, value: take(8) });
    else if (wireType === FIXED32) fields.push({ field, wireType, value: take(4) });
    else if (wireType === LENGTH_DELIMITED) {
      const n = varint();
      if (n > BigInt(bytes.length - at)) fail(`a length-delimited field of ${n} bytes runs past the end`);
      fields.push({ field, wireType, value: take(Number(n)) });
    } else fail(`field ${field} has wire type ${wireType}, which ONNX does not use`);
  }
  return fields;
}

/** Reads the varint at `at`: its value (as an unsigned 64-bit bigint) and the offset after it. */
export function readVarint(bytes: Uint8Array, at: number, what: string): [bigint, number] {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (at >= bytes.length) throw new TorchletError(what, "BAD_FORMAT", `a varint is cut off by the end of the message (${bytes.length} bytes)`);
    const byte = bytes[at++]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if (byte < 0x80) return [BigInt.asUintN(64, value), at];
  }
  throw new TorchletError(what, "BAD_FORMAT", `a varint is longer than 10 bytes at byte ${at - 10}`);
}
