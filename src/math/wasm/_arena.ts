// Arena: an allocator over one shared WebAssembly.Memory (first fit over freed blocks, else bump), and the
// lookup from a Float64Array to its address in that memory.
//
// The memory only grows (WebAssembly cannot shrink it), but freed blocks are reused: `allocateArray` hands
// out views whose blocks return to the arena once the view is garbage-collected, so a process that creates
// and drops many networks keeps reusing the same bytes. Growing a shared memory gives `memory.buffer` a new,
// longer SharedArrayBuffer; views over the older buffers stay valid and keep seeing the same bytes, so every
// buffer the memory has had is remembered for the address lookup.

/** Bytes in one WebAssembly page. */
export const PAGE_BYTES = 65536;

// Allocations start on a cache line; address 0 is never handed out.
const ALIGN = 64;

// The garbage collector does not count the arena's memory, so dropped networks would pile up until the
// JavaScript heap alone asks for a full collection (300 Fashion-MNIST-sized networks: 308 MB). Each large
// view's registration therefore holds an untouched ArrayBuffer of its size (a "ballast"), which V8 counts as
// external memory and collects for (the same 300: 91 MB); untouched, its pages are never made resident. The
// registry holds it until the view is collected.
const BALLAST_MINIMUM_LENGTH = 8192;

/** What the registry keeps for a view until it is collected. */
interface Registration {
  address: number;
  ballast: ArrayBuffer | undefined;
}

/** A growable region of typed arrays inside one shared WebAssembly.Memory. */
export class Arena {
  /** The memory the kernels run in. */
  readonly memory: WebAssembly.Memory;
  #maximumPages: number;
  #top = ALIGN;
  #buffers: ArrayBufferLike[];
  #heap: Float64Array;
  // Free blocks below #top, sorted by address, never adjacent (merged when freed).
  #freeAddresses: number[] = [];
  #freeSizes: number[] = [];
  // Size of every block in use, by address.
  #sizes = new Map<number, number>();
  #reclaim = new FinalizationRegistry<Registration>((held) => this.free(held.address));

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

  /** Reserves `bytes` bytes (zero-filled) and returns their address; `free` gives them back. */
  allocate(bytes: number): number {
    const size = Math.ceil(Math.max(bytes, 1) / ALIGN) * ALIGN;
    const address = this.#takeFree(size);
    if (address >= 0) {
      this.#heap.fill(0, address / 8, (address + size) / 8);
      this.#sizes.set(address, size);
      return address;
    }
    const top = this.#top;
    const end = top + size;
    const have = this.memory.buffer.byteLength;
    if (end > have) {
      const needed = Math.ceil((end - have) / PAGE_BYTES);
      const current = have / PAGE_BYTES;
      // Grow at least geometrically so that many small allocations grow the memory rarely.
      const pages = Math.min(Math.max(needed, current >> 1), this.#maximumPages - current);
      if (pages < needed) {
        throw new RangeError(
          `Cannot allocate ${bytes} bytes: the backend memory is limited to ` +
            `${this.#maximumPages * PAGE_BYTES} bytes and ${this.inUse} are in use`,
        );
      }
      this.memory.grow(pages);
      this.#buffers.push(this.memory.buffer);
      this.#heap = new Float64Array(this.memory.buffer);
    }
    this.#top = end;
    this.#sizes.set(top, size);
    return top;
  }

  /**
   * A zero-filled view of `length` float64 values whose block returns to the arena when the view is
   * garbage-collected. Views made from it (`subarray`) do not keep the block: keep the view itself.
   */
  allocateArray(length: number): Float64Array {
    const address = this.allocate(length * 8);
    const view = this.view(address, length);
    const ballast = length >= BALLAST_MINIMUM_LENGTH ? new ArrayBuffer(length * 8) : undefined;
    this.#reclaim.register(view, { address, ballast });
    return view;
  }

  /** Like `allocateArray`, a zero-filled view of `length` float32 values (for float32 backends). */
  allocateArray32(length: number): Float32Array {
    const address = this.allocate(length * 4);
    const view = new Float32Array(this.memory.buffer, address, length);
    const ballast = length >= 2 * BALLAST_MINIMUM_LENGTH ? new ArrayBuffer(length * 4) : undefined;
    this.#reclaim.register(view, { address, ballast });
    return view;
  }

  /** Gives the block at `address` (from `allocate`) back for reuse; unknown addresses are ignored. */
  free(address: number): void {
    const size = this.#sizes.get(address);
    if (size === undefined) return;
    this.#sizes.delete(address);
    const addresses = this.#freeAddresses, sizes = this.#freeSizes;
    // i: the first free block after `address`
    let low = 0, high = addresses.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (addresses[middle] < address) low = middle + 1;
      else high = middle;
    }
    let start = address, end = address + size, i = low;
    if (i > 0 && addresses[i - 1] + sizes[i - 1] === start) {
      i--;
      start = addresses[i];
      addresses.splice(i, 1);
      sizes.splice(i, 1);
    }
    if (i < addresses.length && addresses[i] === end) {
      end += sizes[i];
      addresses.splice(i, 1);
      sizes.splice(i, 1);
    }
    if (end === this.#top) {
      this.#top = start;
    } else {
      addresses.splice(i, 0, start);
      sizes.splice(i, 0, end - start);
    }
  }

  /** The lowest free block of at least `size` bytes, taken (its rest stays free), or -1. */
  #takeFree(size: number): number {
    const addresses = this.#freeAddresses, sizes = this.#freeSizes;
    for (let i = 0; i < addresses.length; i++) {
      if (sizes[i] < size) continue;
      const address = addresses[i];
      if (sizes[i] === size) {
        addresses.splice(i, 1);
        sizes.splice(i, 1);
      } else {
        addresses[i] += size;
        sizes[i] -= size;
      }
      return address;
    }
    return -1;
  }

  /** A view of `length` float64 values at `address`, over the current buffer. */
  view(address: number, length: number): Float64Array {
    return new Float64Array(this.memory.buffer, address, length);
  }

  /** Address of `data` in this memory, or -1 when `data` is not a view of it. */
  addressOf(data: Float64Array | Float32Array): number {
    const buffer = data.buffer;
    const buffers = this.#buffers;
    for (let i = buffers.length - 1; i >= 0; i--) {
      if (buffers[i] === buffer) return data.byteOffset;
    }
    return -1;
  }

  /** Bytes up to the end of the highest block in use or free (the part of the memory ever used). */
  get used(): number {
    return this.#top;
  }

  /** Bytes in blocks currently in use (including alignment). */
  get inUse(): number {
    let total = 0;
    for (const size of this.#sizes.values()) total += size;
    return total;
  }
}
