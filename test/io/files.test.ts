// What writeFileAtomic may replace: a regular file (keeping its permission
// bits) or nothing; through a symbolic link, the file it points to. A FIFO, a
// device, a socket or a directory is refused and left as it was.
// checkWritable answers the same question before a long job starts.
// (Devices are checked with outputTarget only, which never writes.)

import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { checkWritable, outputTarget, writeFileAtomic } from "../../src/io/files.js";
import { removeStaleTemporaries } from "../../src/io/checkpoint.js";
import { expectError } from "../helpers/errors.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "torchlet-files-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const at = (name: string) => join(dir, name);
const mode = (path: string) => statSync(path).mode & 0o777;

describe("writeFileAtomic refuses what is not a regular file", () => {
  it("a FIFO: refused, and still a FIFO afterwards (nothing blocks on it)", () => {
    const fifo = at("fifo");
    execFileSync("mkfifo", [fifo]);
    expectError(() => writeFileAtomic(fifo, Uint8Array.of(1)), "INVALID_ARGUMENT", `${fifo}: could not write: it is a FIFO (named pipe); torchlet writes only regular files`);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expectError(() => checkWritable(fifo), "INVALID_ARGUMENT", "it is a FIFO");
    expect(readdirSync(dir)).toEqual(["fifo"]);
  });

  it("a device: outputTarget refuses /dev/full and /dev/null without writing", () => {
    const devices = ["/dev/full", "/dev/null"].filter((d) => existsSync(d));
    expect(devices.length).toBeGreaterThan(0);
    for (const device of devices) {
      expectError(() => outputTarget(device), "INVALID_ARGUMENT", `${device}: could not write: it is a device`);
    }
  });

  it("a directory, and a symbolic link to a FIFO", () => {
    mkdirSync(at("sub"));
    expectError(() => writeFileAtomic(at("sub"), Uint8Array.of(1)), "INVALID_ARGUMENT", "it is a directory");
    expect(statSync(at("sub")).isDirectory()).toBe(true);
    execFileSync("mkfifo", [at("fifo")]);
    symlinkSync(at("fifo"), at("link"));
    expectError(() => writeFileAtomic(at("link"), Uint8Array.of(1)), "INVALID_ARGUMENT", `it links to ${at("fifo")}, which is a FIFO`);
    expect(lstatSync(at("link")).isSymbolicLink()).toBe(true);
  });

  it("a path whose directory is missing, or is a file", () => {
    expectError(() => writeFileAtomic(at("nodir/x"), Uint8Array.of(1)), "NOT_FOUND", `its directory ${at("nodir")} does not exist`);
    writeFileSync(at("file"), "text");
    expectError(() => writeFileAtomic(at("file/x"), Uint8Array.of(1)), "NOT_FOUND", `its directory ${at("file")} is a regular file, not a directory`);
    expect(readFileSync(at("file"), "utf8")).toBe("text");
  });

  it("a dangling symbolic link is refused rather than replaced", () => {
    symlinkSync(at("missing"), at("dangling"));
    expectError(() => writeFileAtomic(at("dangling"), Uint8Array.of(1)), "NOT_FOUND", "it is a symbolic link to a file that does not exist");
    expect(lstatSync(at("dangling")).isSymbolicLink()).toBe(true);
    expect(existsSync(at("missing"))).toBe(false);
  });
});

describe("writeFileAtomic on regular files and links", () => {
  it("keeps an existing file's permission bits (600 stays 600, 640 stays 640)", () => {
    for (const bits of [0o600, 0o640]) {
      const path = at(`secret-${bits.toString(8)}`);
      writeFileSync(path, "old");
      chmodSync(path, bits);
      writeFileAtomic(path, Uint8Array.of(7, 8));
      expect(mode(path)).toBe(bits);
      expect(Array.from(readFileSync(path))).toEqual([7, 8]);
    }
  });

  it("follows a symbolic link: the link stays a link and the file it points to gets the bytes and keeps its mode", () => {
    mkdirSync(at("real"));
    writeFileSync(at("real/w.bin"), "old");
    chmodSync(at("real/w.bin"), 0o600);
    symlinkSync(join("real", "w.bin"), at("latest"));
    writeFileAtomic(at("latest"), Uint8Array.of(1, 2, 3));
    expect(lstatSync(at("latest")).isSymbolicLink()).toBe(true);
    expect(readlinkSync(at("latest"))).toBe(join("real", "w.bin"));
    expect(Array.from(readFileSync(at("real/w.bin")))).toEqual([1, 2, 3]);
    expect(mode(at("real/w.bin"))).toBe(0o600);
    expect(readdirSync(at("real"))).toEqual(["w.bin"]); // no temporary file left beside the target
  });

  it("removeStaleTemporaries looks beside the link's target, where the temporary files go", () => {
    mkdirSync(at("real"));
    writeFileSync(at("real/w.bin"), "x");
    symlinkSync(at("real/w.bin"), at("latest"));
    const stale = at("real/.w.bin.999999999.abcdef012345.tmp"); // no such process
    writeFileSync(stale, "half");
    removeStaleTemporaries(at("latest"));
    expect(existsSync(stale)).toBe(false);
  });
});

describe("checkWritable: refuses before any work, writes nothing", () => {
  it("accepts a new file in an existing directory and an existing regular file, leaving no trace", () => {
    checkWritable(at("new.bin"));
    writeFileSync(at("old.bin"), "keep");
    checkWritable(at("old.bin"));
    expect(readdirSync(dir)).toEqual(["old.bin"]);
    expect(readFileSync(at("old.bin"), "utf8")).toBe("keep");
  });

  it.skipIf(!existsSync("/proc/self"))("refuses a directory that does not take new files (/proc, Linux)", () => {
    expectError(() => checkWritable("/proc/torchlet-test"), "INVALID_ARGUMENT", "/proc/torchlet-test: could not write: cannot create files in /proc");
  });
});
