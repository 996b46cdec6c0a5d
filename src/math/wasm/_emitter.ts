// Emitter: writes WebAssembly module bytes (types, one imported memory, functions, exports) from TypeScript.
//
// Only what the matrix kernels need: i32 arithmetic, structured control flow, and the 128-bit SIMD
// loads, stores and f64x2 arithmetic. Encodings follow the WebAssembly core spec (binary format, §5) and
// the SIMD and relaxed-SIMD proposals; opcodes after the 0xfd prefix are LEB128-encoded.

/** Value types of the binary format. */
export const I32 = 0x7f;
/** The 128-bit vector type. */
export const V128 = 0x7b;
/** The 64-bit float type. */
export const F64 = 0x7c;
/** The 32-bit float type. */
export const F32 = 0x7d;

/** A WebAssembly value type byte (`I32`, `F32`, `F64` or `V128`). */
export type ValueType = typeof I32 | typeof F32 | typeof F64 | typeof V128;

/** Appends `value` as unsigned LEB128. */
export function pushU32(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    const byte = v & 0x7f;
    v >>>= 7;
    out.push(v === 0 ? byte : byte | 0x80);
  } while (v !== 0);
}

/** Appends `value` as signed LEB128 (32-bit). */
export function pushS32(out: number[], value: number): void {
  let v = value | 0;
  while (true) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

function pushName(out: number[], name: string): void {
  const bytes = new TextEncoder().encode(name);
  pushU32(out, bytes.length);
  for (const b of bytes) out.push(b);
}

function pushSection(out: number[], id: number, body: number[]): void {
  out.push(id);
  pushU32(out, body.length);
  for (const b of body) out.push(b);
}

/** The body of one function: declares locals and appends instructions; each method returns `this`. */
export class Code {
  /** Instruction bytes, without the locals header and the final `end`. */
  readonly bytes: number[] = [];
  #paramCount: number;
  #locals: ValueType[] = [];

  /** Starts a body for a function with `paramCount` parameters (locals are numbered after them). */
  constructor(paramCount: number) {
    this.#paramCount = paramCount;
  }

  /** Declares a new local of type `type` and returns its index. */
  local(type: ValueType): number {
    this.#locals.push(type);
    return this.#paramCount + this.#locals.length - 1;
  }

  /** The encoded body: locals, instructions and `end`, prefixed by its size. */
  encode(): number[] {
    const body: number[] = [];
    pushU32(body, this.#locals.length);
    for (const type of this.#locals) {
      body.push(1, type);
    }
    for (const b of this.bytes) body.push(b);
    body.push(0x0b);
    const out: number[] = [];
    pushU32(out, body.length);
    for (const b of body) out.push(b);
    return out;
  }

  #op(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  #simd(opcode: number): this {
    this.bytes.push(0xfd);
    pushU32(this.bytes, opcode);
    return this;
  }

  #memarg(alignLog2: number, offset: number): this {
    pushU32(this.bytes, alignLog2);
    pushU32(this.bytes, offset);
    return this;
  }

  /** `block` with no result. */
  block(): this {
    return this.#op(0x02, 0x40);
  }
  /** `loop` with no result. */
  loop(): this {
    return this.#op(0x03, 0x40);
  }
  /** `if` with no result. */
  if(): this {
    return this.#op(0x04, 0x40);
  }
  /** `end` of a block, loop or if. */
  end(): this {
    return this.#op(0x0b);
  }
  /** `br depth`. */
  br(depth: number): this {
    this.bytes.push(0x0c);
    pushU32(this.bytes, depth);
    return this;
  }
  /** `br_if depth`. */
  brIf(depth: number): this {
    this.bytes.push(0x0d);
    pushU32(this.bytes, depth);
    return this;
  }
  /** `call index`. */
  call(index: number): this {
    this.bytes.push(0x10);
    pushU32(this.bytes, index);
    return this;
  }
  /** `local.get`. */
  get(index: number): this {
    this.bytes.push(0x20);
    pushU32(this.bytes, index);
    return this;
  }
  /** `local.set`. */
  set(index: number): this {
    this.bytes.push(0x21);
    pushU32(this.bytes, index);
    return this;
  }
  /** `local.tee`. */
  tee(index: number): this {
    this.bytes.push(0x22);
    pushU32(this.bytes, index);
    return this;
  }
  /** `i32.const`. */
  i32Const(value: number): this {
    this.bytes.push(0x41);
    pushS32(this.bytes, value);
    return this;
  }
  /** `i32.eqz`. */
  i32Eqz(): this {
    return this.#op(0x45);
  }
  /** `i32.eq`. */
  i32Eq(): this {
    return this.#op(0x46);
  }
  /** `i32.ne`. */
  i32Ne(): this {
    return this.#op(0x47);
  }
  /** `i32.lt_s`. */
  i32LtS(): this {
    return this.#op(0x48);
  }
  /** `i32.gt_s`. */
  i32GtS(): this {
    return this.#op(0x4a);
  }
  /** `i32.ge_s`. */
  i32GeS(): this {
    return this.#op(0x4e);
  }
  /** `i32.add`. */
  i32Add(): this {
    return this.#op(0x6a);
  }
  /** `i32.sub`. */
  i32Sub(): this {
    return this.#op(0x6b);
  }
  /** `i32.mul`. */
  i32Mul(): this {
    return this.#op(0x6c);
  }
  /** `i32.div_u`. */
  i32DivU(): this {
    return this.#op(0x6e);
  }
  /** `i32.and`. */
  i32And(): this {
    return this.#op(0x71);
  }
  /** `i32.shl`. */
  i32Shl(): this {
    return this.#op(0x74);
  }
  /** `i32.shr_u`. */
  i32ShrU(): this {
    return this.#op(0x76);
  }
  /** `f64.add`. */
  f64Add(): this {
    return this.#op(0xa0);
  }
  /** `v128.load` (16-byte aligned hint) at `offset`. */
  v128Load(offset = 0): this {
    return this.#simd(0x00).#memarg(3, offset);
  }
  /** `v128.load64_splat`: one f64 into both lanes. */
  v128Load64Splat(offset = 0): this {
    return this.#simd(0x0a).#memarg(3, offset);
  }
  /** `v128.load64_zero`: one f64 into lane 0, lane 1 zero. */
  v128Load64Zero(offset = 0): this {
    return this.#simd(0x5d).#memarg(3, offset);
  }
  /** `v128.load64_lane`: replaces lane `lane` of the vector on the stack with one f64 from memory. */
  v128Load64Lane(lane: number, offset = 0): this {
    return this.#simd(0x57).#memarg(3, offset).#op(lane);
  }
  /** `v128.store` at `offset`. */
  v128Store(offset = 0): this {
    return this.#simd(0x0b).#memarg(3, offset);
  }
  /** `v128.store64_lane`: stores lane `lane` as one f64. */
  v128Store64Lane(lane: number, offset = 0): this {
    return this.#simd(0x5b).#memarg(3, offset).#op(lane);
  }
  /** `v128.const` of sixteen zero bytes. */
  v128Zero(): this {
    this.#simd(0x0c);
    for (let i = 0; i < 16; i++) this.bytes.push(0);
    return this;
  }
  /** `i8x16.shuffle` with the sixteen byte indices `lanes` (0–15 the first operand, 16–31 the second). */
  i8x16Shuffle(lanes: readonly number[]): this {
    this.#simd(0x0d);
    for (const lane of lanes) this.bytes.push(lane);
    return this;
  }
  /** `f64x2.splat`. */
  f64x2Splat(): this {
    return this.#simd(0x14);
  }
  /** `f64x2.extract_lane`. */
  f64x2ExtractLane(lane: number): this {
    return this.#simd(0x21).#op(lane);
  }
  /** `f64x2.add`. */
  f64x2Add(): this {
    return this.#simd(0xf0);
  }
  /** `f64x2.mul`. */
  f64x2Mul(): this {
    return this.#simd(0xf2);
  }
  /** `f64x2.sub`. */
  f64x2Sub(): this {
    return this.#simd(0xf1);
  }
  /** `f64x2.div`. */
  f64x2Div(): this {
    return this.#simd(0xf3);
  }
  /** `f64x2.sqrt`. */
  f64x2Sqrt(): this {
    return this.#simd(0xef);
  }
  /** `f64x2.pmax`: lane-wise `a < b ? b : a` (so `pmax(0, z)` is `z > 0 ? z : 0`, NaN and −0 giving +0). */
  f64x2Pmax(): this {
    return this.#simd(0xf7);
  }
  /** `f64x2.gt`: all-ones lanes where a > b. */
  f64x2Gt(): this {
    return this.#simd(0x4a);
  }
  /** `v128.bitselect`: bits of the first operand where the mask (third) is 1, else of the second. */
  v128Bitselect(): this {
    return this.#simd(0x52);
  }
  /** Emits what `emit` emits (for operations chosen at run time, e.g. by element type). */
  op(emit: (code: Code) => unknown): this {
    emit(this);
    return this;
  }
  /** `f32.load` at `offset`. */
  f32Load(offset = 0): this {
    return this.#op(0x2a).#memarg(2, offset);
  }
  /** `f32.store` at `offset`. */
  f32Store(offset = 0): this {
    return this.#op(0x38).#memarg(2, offset);
  }
  /** `f32.const 0`. */
  f32Zero(): this {
    return this.#op(0x43, 0, 0, 0, 0);
  }
  /** `f32.add`. */
  f32Add(): this {
    return this.#op(0x92);
  }
  /** `f32.mul`. */
  f32Mul(): this {
    return this.#op(0x94);
  }
  /** `v128.load32_splat`: one f32 into all four lanes. */
  v128Load32Splat(offset = 0): this {
    return this.#simd(0x09).#memarg(2, offset);
  }
  /** `f32x4.add`. */
  f32x4Add(): this {
    return this.#simd(0xe4);
  }
  /** `f32x4.mul`. */
  f32x4Mul(): this {
    return this.#simd(0xe6);
  }
  /** `v128.load32_zero`: one f32 into lane 0, the other lanes zero. */
  v128Load32Zero(offset = 0): this {
    return this.#simd(0x5c).#memarg(2, offset);
  }
  /** `v128.store32_lane`: stores lane `lane` as one f32. */
  v128Store32Lane(lane: number, offset = 0): this {
    return this.#simd(0x5a).#memarg(2, offset).#op(lane);
  }
  /** `f32x4.splat`. */
  f32x4Splat(): this {
    return this.#simd(0x13);
  }
  /** `f32x4.sub`. */
  f32x4Sub(): this {
    return this.#simd(0xe5);
  }
  /** `f32x4.div`. */
  f32x4Div(): this {
    return this.#simd(0xe7);
  }
  /** `f32x4.sqrt`. */
  f32x4Sqrt(): this {
    return this.#simd(0xe3);
  }
  /** `f32x4.pmax`: lane-wise `a < b ? b : a`. */
  f32x4Pmax(): this {
    return this.#simd(0xeb);
  }
  /** `f32x4.gt`: all-ones lanes where a > b. */
  f32x4Gt(): this {
    return this.#simd(0x44);
  }
  /** `f32x4.relaxed_madd` (a · b + c, fused where the hardware can): 0xfd 0x105. */
  f32x4RelaxedMadd(): this {
    return this.#simd(0x105);
  }
  /** `f64x2.relaxed_madd` (a · b + c, fused where the hardware can): 0xfd 0x107 (0x105 is the f32x4 form). */
  f64x2RelaxedMadd(): this {
    return this.#simd(0x107);
  }
}

/** One function of a module: its signature, its body and, optionally, its export name. */
export interface FunctionDef {
  /** Parameter types. */
  params: readonly ValueType[];
  /** Result types (empty or one). */
  results: readonly ValueType[];
  /** The body. */
  code: Code;
  /** Exported under this name when given. */
  exportName?: string;
}

/** Options of `encodeModule`. */
export interface EncodeModuleOptions {
  /** Import `env.memory` as a shared memory with these limits in 64 KiB pages; omit for no memory. */
  memory?: { minimumPages: number; maximumPages: number; shared: boolean };
}

/**
 * Encodes a module whose functions are `functions`, in order (function `i` has index `i`).
 *
 * @param functions the functions, their bodies already complete
 * @param options the imported memory
 * @returns the module bytes
 */
export function encodeModule(
  functions: readonly FunctionDef[],
  options: EncodeModuleOptions = {},
): Uint8Array<ArrayBuffer> {
  const out = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
  // Type section: one type per function (duplicates are allowed and keep this simple).
  const types: number[] = [];
  pushU32(types, functions.length);
  for (const f of functions) {
    types.push(0x60);
    pushU32(types, f.params.length);
    for (const t of f.params) types.push(t);
    pushU32(types, f.results.length);
    for (const t of f.results) types.push(t);
  }
  pushSection(out, 1, types);
  if (options.memory !== undefined) {
    const imports: number[] = [];
    pushU32(imports, 1);
    pushName(imports, "env");
    pushName(imports, "memory");
    imports.push(0x02, options.memory.shared ? 0x03 : 0x01);
    pushU32(imports, options.memory.minimumPages);
    pushU32(imports, options.memory.maximumPages);
    pushSection(out, 2, imports);
  }
  const funcs: number[] = [];
  pushU32(funcs, functions.length);
  functions.forEach((_, i) => pushU32(funcs, i));
  pushSection(out, 3, funcs);
  const exported = functions.map((f, i) => [f, i] as const).filter(([f]) => f.exportName !== undefined);
  const exports: number[] = [];
  pushU32(exports, exported.length);
  for (const [f, i] of exported) {
    pushName(exports, f.exportName!);
    exports.push(0x00);
    pushU32(exports, i);
  }
  pushSection(out, 7, exports);
  const code: number[] = [];
  pushU32(code, functions.length);
  for (const f of functions) {
    for (const b of f.code.encode()) code.push(b);
  }
  pushSection(out, 10, code);
  return new Uint8Array(out);
}
