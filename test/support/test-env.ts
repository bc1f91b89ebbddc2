/**
 * Every test process starts with the built-in default providers off (SLUICE_BUILTIN_ORIGIN=off): a test
 * must never reach a vendor's real endpoint. A test of the defaults aims them at a loopback fake by
 * passing `builtins` (RuntimeConfig) / `builtinProviders` (startApp), or the env var to a child process.
 */
process.env.SLUICE_BUILTIN_ORIGIN = 'off';
