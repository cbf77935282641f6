// `roster-fuzz FORMAT [--seconds N] [--seed N] [--corpus DIR] [--artifacts DIR]`: a bounded fuzzing
// campaign over one reader. Built with `-sanitize=fuzzer -DFUZZING`, the same target is a libFuzzer
// entry point instead (the format comes from ROSTER_FUZZ_FORMAT).
import Foundation
import TabularFuzz
#if canImport(Glibc)
import Glibc
#endif

#if FUZZING
// libFuzzer's globals: one target per process, created on first use.
nonisolated(unsafe) private var fuzzTarget: FuzzTarget? // touched only from libFuzzer's single fuzzing thread

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if fuzzTarget == nil {
        let name = ProcessInfo.processInfo.environment["ROSTER_FUZZ_FORMAT"] ?? "csv"
        guard let format = FuzzFormat(rawValue: name) else { fatalError("ROSTER_FUZZ_FORMAT: unknown format \(name)") }
        let directory = NSTemporaryDirectory() + "roster-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        fuzzTarget = FuzzTarget(format: format, directory: directory)
    }
    let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    do {
        try fuzzTarget?.run(input)
    } catch {
        fatalError("\(error)")
    }
    return 0
}

// SwiftPM links an executable's entry point as `roster_fuzz_main`; hand control to libFuzzer's driver.
@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(_ argc: UnsafeMutablePointer<CInt>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                         _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

@_cdecl("roster_fuzz_main")
func rosterFuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments, { data, size in fuzzOne(data, size) })
}
#else
@main
struct FuzzCommand {
    static func main() {
        var arguments = Array(CommandLine.arguments.dropFirst())
        func option(_ name: String) -> String? {
            guard let at = arguments.firstIndex(of: name), at + 1 < arguments.count else { return nil }
            defer { arguments.removeSubrange(at ... at + 1) }
            return arguments[at + 1]
        }
        let seconds = option("--seconds").flatMap(Double.init) ?? 30
        let seed = option("--seed").flatMap(UInt64.init) ?? 1
        let corpusRoot = option("--corpus") ?? "Tests/Fuzz/corpus"
        let artifacts = option("--artifacts") ?? ".build/fuzz-artifacts"
        let names = arguments.isEmpty ? FuzzFormat.allCases.map(\.rawValue) : arguments
        var failed = false
        for name in names {
            guard let format = FuzzFormat(rawValue: name) else {
                FileHandle.standardError.write(Data("roster-fuzz: unknown format \(name) (use \(FuzzFormat.allCases.map(\.rawValue).joined(separator: ", ")))\n".utf8))
                exit(2)
            }
            let directory = NSTemporaryDirectory() + "roster-fuzz-\(getpid())-\(name)"
            try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            try? FileManager.default.createDirectory(atPath: artifacts, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(atPath: directory) }
            var campaign = FuzzCampaign(format: format, corpus: FuzzCampaign.loadCorpus(corpusRoot + "/" + name), seed: seed, seconds: seconds)
            // The input in flight stays on disk: after a crash or a watchdog abort it is the reproducer.
            let current = artifacts + "/current-\(name)"
            let watchdog = Watchdog(seconds: 10, label: "roster-fuzz \(name): one input ran past 10 s (a hang); it is in \(current)")
            campaign.beforeRun = { input in
                _ = FileManager.default.createFile(atPath: current, contents: Data(input))
                watchdog.arm()
            }
            let report = campaign.run(in: directory)
            watchdog.disarm()
            try? FileManager.default.removeItem(atPath: current)
            print(report.summary + String(format: ", peak RSS %.0f MB", Watchdog.peakResidentMegabytes()))
            for (index, failure) in report.failures.enumerated() {
                let file = artifacts + "/failure-\(name)-\(index)"
                _ = FileManager.default.createFile(atPath: file, contents: Data(failure.input))
                print("  FAILURE \(failure.detail) -> \(file)")
                failed = true
            }
        }
        exit(failed ? 1 : 0)
    }
}

/// Aborts the process when one input runs too long; re-armed before every input.
final class Watchdog: @unchecked Sendable { // `deadline` is read and written only under `lock`
    private let lock = NSLock()
    private var deadline: Date?
    private let seconds: Double

    init(seconds: Double, label: String) {
        self.seconds = seconds
        Thread.detachNewThread { [self] in
            while true {
                Thread.sleep(forTimeInterval: 0.5)
                lock.lock()
                let expired = deadline.map { Date() > $0 } ?? false
                lock.unlock()
                if expired {
                    FileHandle.standardError.write(Data((label + "\n").utf8))
                    exit(3)
                }
            }
        }
    }

    func arm() {
        lock.lock()
        deadline = Date().addingTimeInterval(seconds)
        lock.unlock()
    }

    func disarm() {
        lock.lock()
        deadline = nil
        lock.unlock()
    }

    static func peakResidentMegabytes() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_maxrss) / 1024
    }
}
#endif
