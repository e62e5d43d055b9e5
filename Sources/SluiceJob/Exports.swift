// A job executable declares its options with ArgumentParser's `@Option` and `@Flag`;
// `import SluiceJob` is all it needs for them.
@_exported import ArgumentParser
