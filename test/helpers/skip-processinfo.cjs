'use strict'
// Preloaded into every test process (package.json: tap's node-arg, `--require`, which Node
// runs before any `--import`). tap starts each test file with its process-info hook
// (@tapjs/processinfo), whatever the config says: it records every module the file loads,
// and the source and line lengths of each, for coverage and for `tap --changed`. We collect
// no coverage (disable-coverage) and do not use --changed, and the hook cost each test
// process ~0.6 CPU-s of its ~5 s start (the suite: ~30 files on 2 cores).
//
// tap marks a run without coverage with _TAPJS_PROCESSINFO_COVERAGE_=0; only then:
// - the hook's own exclusion pattern (tap's runner sets it before it starts a file, so
//   tap's test-env cannot) is made to match every file, so its loader records nothing;
// - its per-process record is made to look present, so it does not register the rest:
//   a require hook on every CommonJS file, a spawn hook that puts itself into every child's
//   NODE_OPTIONS, and a file written to .tap/processinfo at exit.
// Both are the hook's internals: should a tap update rename them, this does nothing and
// the tests only start slower. Run with coverage (`npm run test:coverage`), it does nothing.
if (process.env._TAPJS_PROCESSINFO_COVERAGE_ === '0') {
  process.env._TAPJS_PROCESSINFO_EXCLUDE_ = String(/^/)
  globalThis[Symbol.for('@tapjs/processinfo.ProcessInfoNodeData')] = { files: [], sources: Object.create(null) }
}
