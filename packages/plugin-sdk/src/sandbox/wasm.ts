/**
 * The few WebAssembly globals the sandbox uses. TypeScript declares WebAssembly only in its DOM
 * lib, which the server's lib (ES2023) leaves out; Node has them all, so they are typed here.
 */

/** A compiled module: opaque, and cloneable to worker threads. */
export type WasmModule = object;

export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}

interface WasmGlobals {
  Module: new (bytes: Uint8Array) => WasmModule;
  Memory: new (descriptor: { initial: number; maximum: number }) => WasmMemory;
}

const wasm = (globalThis as unknown as { WebAssembly: WasmGlobals }).WebAssembly;

export const compileWasm = (bytes: Uint8Array): WasmModule => new wasm.Module(bytes);

/** Memory that starts at `initial` pages of 64 KiB and can never grow past `maximum`. */
export const newWasmMemory = (initial: number, maximum: number): WasmMemory => new wasm.Memory({ initial, maximum });
