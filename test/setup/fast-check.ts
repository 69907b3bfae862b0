// Property tests draw their cases from one seed per run, so CI is repeatable: the
// same cases every time, unless FC_SEED names another seed (or "random").
import fc from "fast-check";

const chosen = process.env.FC_SEED;
if (chosen !== "random") fc.configureGlobal({ seed: chosen === undefined ? 20261129 : Number(chosen) });
