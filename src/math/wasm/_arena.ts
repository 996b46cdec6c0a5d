// Arena: a bump allocator over one shared WebAssembly.Memory, and the lookup from a Float64Array to its
// address in that memory.
//
// Memory only grows (never frees) until the backend is disposed. Growing a shared memory gives
// `memory.buffer` a new, longer SharedArrayBuffer; views over the older buffers stay valid and keep
// seeing the same bytes, so every buffer the memory has had is remembered for the address lookup.

/** Bytes in one WebAssembly page. */
export const PAGE_BYTES = 65536;

// Allocations start on a cache line; address 0 is never handed out.
const ALIGN = 64;

/** A growable region of typed arrays inside one shared WebAssembly.Memory. */
export class Arena {
  /** The memory the kernels run in. */
  readonly memory: WebAssembly.Memory;
  #maximumPages: number;
  #top = ALIGN;
  #buffers: ArrayBufferLike[];
  #heap: Float64Array;

  /** Creates the memory with `initialPages` pages, growable up to `maximumPages`. */
  constructor(initialPages: number, maximumPages: number) {
    this.memory = new WebAssembly.Memory({ initial: initialPages, maximum: maximumPages, shared: true });
    this.#maximumPages = maximumPages;
    this.#buffers = [this.memory.buffer];
    this.#heap = new Float64Array(this.memory.buffer);
  }

  /** The whole memory as float64 values (re-taken after each growth). */
  get heap(): Float64Array {
    return this.#heap;
  }

  /** Reserves `bytes` bytes (zero-filled, never reused) and returns their address. */
  allocate(bytes: number): number {
    const address = this.#top;
    const end = address + Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const needed = Math.ceil((end - have) / PAGE_BYTES);
      const current = have / PAGE_BYTES;
      // Grow at least geometrically so that many small allocations grow the memory rarely.
      const pages = Math.min(Math.max(needed, current >> 1), this.#maximumPages - current);
      if (pages < needed) {
        throw new RangeError(
          `Cannot allocate ${bytes} bytes: the backend memory is limited to ` +
            `${this.#maximumPages * PAGE_BYTES} bytes and ${address} are in use`,
        );
      }
      this.memory.grow(pages);
      this.#buffers.push(this.memory.buffer);
      this.#heap = new Float64Array(this.memory.buffer);
    }
    this.#top = end;
    return address;
  }

  /** A view of `length` float64 values at `address`, over the current buffer. */
  view(address: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, address, length);
  }

  /** Address of `data` in this memory, or -1 when `data` is not a view of it. */
  addressOf(data: Float64Array): number {
    const buffer = data.buffer;
    const buffers = this.#buffers;
    for (let i = buffers.length - 1; i >= 0; i--) {
      if (buffers[i] === buffer) return data.byteOffset;
    }
    return -1;
  }

  /** Bytes handed out so far (including alignment). */
  get used(): number {
    return this.#top;
  }
}
