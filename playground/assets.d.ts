// Vite's `?url` imports (main.ts imports the embedded MNIST files this way): the asset's URL in the build.
declare module "*?url" {
  const url: string;
  export default url;
}
