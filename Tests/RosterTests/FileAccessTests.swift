import Foundation
import Testing

/// A sandboxed script reaches files only in the working folder, its own and the plugins' folders,
/// its arguments, the temp folder and `--allow-path` folders; never /proc or /sys.
@Suite struct FileAccessTests {
    /// A folder outside the temp folder and the working folder.
    func outsideFolder() throws -> String {
        let dir = "/var/tmp/roster-outside-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try "secret\n".write(toFile: dir + "/data.txt", atomically: true, encoding: .utf8)
        return dir
    }

    @Test func pathsOutsideTheAllowedFoldersAreRefusedNamingThePathAndTheFlag() throws {
        let dir = try makeTemporaryDirectory()
        let outside = try outsideFolder()
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try FileManager.default.createSymbolicLink(atPath: dir + "/link.txt", withDestinationPath: outside + "/data.txt")
        try writeFile(dir, "probe.lua", """
            local function try(f, ...) local ok, err = pcall(f, ...) print(ok and "allowed" or tostring(err)) end
            try(function() local f = io.open("\(outside)/data.txt") return f end)
            try(io.open, "link.txt")
            try(io.lines, "/etc/hostname")
            try(io.open, "/proc/self/environ")
            try(os.remove, "\(outside)/data.txt")
            try(os.rename, "here.txt", "\(outside)/moved.txt")
            try(roster.read, "/etc/passwd")
            try(io.open, "mine.txt", "w")
            """)
        let r = try RosterProcess.run(["run", "probe.lua"], in: dir)
        #expect(r.status == 0, "\(r.stderr)")
        let lines = r.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count == 8, "\(r.stdout)")
        #expect(lines[0].hasPrefix("probe.lua:2: io.open: \(outside)/data.txt is outside the folders this script may use"))
        #expect(lines[0].hasSuffix("allow it with --allow-path \(outside) or run with --unsafe"))
        #expect(lines[1].contains("io.open: link.txt is outside the folders"))  // a symlink does not get out
        #expect(lines[2].contains("io.lines: /etc/hostname is outside the folders"))
        #expect(lines[3].contains("io.open: /proc/self/environ is a system path scripts may not use"))
        #expect(lines[4].contains("os.remove: \(outside)/data.txt is outside"))
        #expect(lines[5].contains("os.rename: \(outside)/moved.txt is outside"))
        #expect(lines[6].contains("roster.read: /etc/passwd is outside the folders"))
        #expect(lines[7] == "allowed")
        #expect(FileManager.default.fileExists(atPath: outside + "/data.txt"))
    }

    @Test func argumentsAllowPathAndUnsafeOpenTheWay() throws {
        let dir = try makeTemporaryDirectory()
        let outside = try outsideFolder()
        defer { try? FileManager.default.removeItem(atPath: outside) }
        try writeFile(dir, "read.lua", "print(io.open(arg[1]):read('l'))")
        let path = outside + "/data.txt"
        let asArgument = try RosterProcess.run(["run", "read.lua", path], in: dir)
        #expect(asArgument.stdout == "secret\n", "\(asArgument.stderr)")
        try writeFile(dir, "fixed.lua", "print(io.open('\(path)'):read('l'))")
        #expect(try RosterProcess.run(["run", "fixed.lua"], in: dir).status == 1)
        #expect(try RosterProcess.run(["run", "--allow-path", outside, "fixed.lua"], in: dir).stdout == "secret\n")
        #expect(try RosterProcess.run(["run", "--unsafe", "fixed.lua"], in: dir).stdout == "secret\n")
        let proc = try RosterProcess.run(["run", "--allow-path", "/", "read.lua", "/proc/self/environ"], in: dir)
        #expect(proc.status == 1)
        #expect(proc.stderr.contains("/proc/self/environ is a system path scripts may not use"))
    }
}
