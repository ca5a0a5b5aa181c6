// A .wasm file imported as a module (workerd, bundlers): a compiled WebAssembly.Module.
declare module "*.wasm" {
  const module: WebAssembly.Module;
  export default module;
}
