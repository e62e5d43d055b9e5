/// A temperature reading as the input topic holds it: `{"sensor":"s1","celsius":21.5}`.
struct Reading: Codable, Sendable {
    var sensor: String
    var celsius: Double
}
