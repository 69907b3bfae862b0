// Runs the suite on the TypeScript reference kernels.
import { setBackend } from "../../src/backend/index.js";
setBackend("ts");
