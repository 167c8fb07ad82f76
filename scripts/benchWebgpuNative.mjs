// The detector on a real GPU through onnxruntime's own WebGPU execution provider (Dawn, the WebGPU
// implementation Chromium uses), beside the CPU provider, in one process (issue 24, part 5). This is the
// native build of ORT's WebGPU EP, not the browser: on the lent GPU machine no Chromium can travel (its
// packages are larger than the 64 MiB the machine takes), so it tells what the GPU kernels cost, not what
// the page adds. Plain Node (no build step), so it runs where only `node` and onnxruntime-node are:
//
//   node scripts/benchWebgpuNative.mjs [--model models/smearcount-frcnn.onnx] [--input x.f32 --width 512 --height 384]
//        [--runs 30] [--json out.json]
//
// On the lent GPU machine (2026-12-04), from an ignored folder .devbench carried to it: /usr/bin/node and
// node_modules/onnxruntime-{node,common} in one tar.xz (37 MB), Debian's libvulkan1 libegl1 libglvnd0
// libopengl0 libgl1 libglx0 libgles2 unpacked to / (X11 client libraries to a folder on LD_LIBRARY_PATH),
// VK_DRIVER_FILES=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json, LD_LIBRARY_PATH with
// /usr/local/nvidia/lib64; without the GLVND and X11 libraries the NVIDIA Vulkan driver does not load and
// Dawn reports no adapter.
//
// Without --input the image is a fixed pseudo-random field (same every run). Prints one JSON object:
// per provider, session creation, first run and p50 / p90 of the timed runs, and the detections' count.
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import ort from "onnxruntime-node";

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const model = opt("model", "models/smearcount-frcnn.onnx");
const width = Number(opt("width", 512));
const height = Number(opt("height", 384));
const runs = Number(opt("runs", 30));
const inputPath = opt("input", null);

function input() {
  const n = 3 * width * height;
  if (inputPath) {
    const buf = readFileSync(inputPath);
    if (buf.byteLength !== n * 4) throw new Error(`${inputPath}: ${buf.byteLength} bytes, expected ${n * 4} (3x${height}x${width} float32)`);
    return new Float32Array(buf.buffer, buf.byteOffset, n);
  }
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    x[i] = s / 2147483648;
  }
  return x;
}

const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * (s.length - 1) + 0.5))];
};

async function bench(label, options) {
  const t0 = performance.now();
  let session;
  try {
    session = await ort.InferenceSession.create(model, options);
  } catch (e) {
    return { label, error: String(e && e.message ? e.message : e).slice(0, 400) };
  }
  const createMs = performance.now() - t0;
  const feeds = { [session.inputNames[0]]: new ort.Tensor("float32", input(), [3, height, width]) };
  const t1 = performance.now();
  let out = await session.run(feeds);
  const firstMs = performance.now() - t1;
  for (let i = 0; i < 3; i++) out = await session.run(feeds);
  const times = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    out = await session.run(feeds);
    times.push(performance.now() - t);
  }
  const scores = out[session.outputNames.find((n) => /score/i.test(n)) ?? session.outputNames[session.outputNames.length - 1]];
  const res = {
    label, createMs: +createMs.toFixed(1), firstRunMs: +firstMs.toFixed(1),
    p50Ms: +pct(times, 0.5).toFixed(2), p90Ms: +pct(times, 0.9).toFixed(2), runs,
    detections: scores ? scores.dims[0] : null,
  };
  await session.release?.();
  return res;
}

const results = [];
results.push(await bench("cpu, 1 thread", { executionProviders: ["cpu"], intraOpNumThreads: 1, interOpNumThreads: 1 }));
results.push(await bench("cpu, all threads", { executionProviders: ["cpu"] }));
results.push(await bench("webgpu", { executionProviders: ["webgpu"] }));
results.push(await bench("webgpu, graph optimisation off", { executionProviders: ["webgpu"], graphOptimizationLevel: "disabled" }));
const report = { model, input: inputPath ?? "pseudo-random", size: [width, height], ort: ort.env.versions ?? null, node: process.version, results };
const text = JSON.stringify(report, null, 1);
console.log(text);
const jsonOut = opt("json", null);
if (jsonOut) writeFileSync(jsonOut, text + "\n");
