import Foundation

/// A fresh temporary directory for one test.
public func makeTemporaryDirectory() throws -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("roster-test-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

/// Writes `text` to `dir/name` (creating folders) and returns the path.
@discardableResult
public func writeFile(_ dir: String, _ name: String, _ text: String) throws -> String {
    let path = (dir as NSString).appendingPathComponent(name)
    try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
    try text.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

/// Runs `python3 -c script arguments...` (an independent reader: csv, openpyxl) and returns its stdout;
/// a non-zero exit is an error carrying stderr.
public func runPython(_ script: String, _ arguments: [String]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", "-c", script] + arguments
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { throw PythonFailure(message: String(decoding: errors, as: UTF8.self)) }
    return String(decoding: data, as: UTF8.self)
}

public struct PythonFailure: Error, CustomStringConvertible {
    public var message: String
    public var description: String { "python3 failed: \(message)" }
}
