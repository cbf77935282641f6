// A bounded, reproducible fuzzing run without libFuzzer: mutate the corpus for a while, run every
// input, and keep the ones that reached a new outcome (a cheap stand-in for coverage feedback).
import Foundation

/// The figures of one campaign.
public struct FuzzReport: Sendable {
    public var format: FuzzFormat
    public var executions = 0
    public var seconds = 0.0
    public var typedErrors = 0
    public var rejectedRecords = 0
    public var slowestMilliseconds = 0.0
    public var corpusSize = 0
    public var failures: [FuzzFailure] = []

    public var summary: String {
        String(format: "%@: %d executions in %.1f s (%.0f/s), %d typed errors, %d rejected records, slowest input %.0f ms, corpus %d, failures %d",
               format.rawValue, executions, seconds, Double(executions) / max(seconds, 0.001), typedErrors, rejectedRecords,
               slowestMilliseconds, corpusSize, failures.count)
    }
}

public struct FuzzCampaign: Sendable {
    public var format: FuzzFormat
    public var corpus: [[UInt8]]
    public var seed: UInt64
    public var seconds: Double
    /// Called before each input runs (the command line saves it, so a crash leaves it on disk).
    public var beforeRun: (@Sendable ([UInt8]) -> Void)?

    public init(format: FuzzFormat, corpus: [[UInt8]], seed: UInt64, seconds: Double) {
        self.format = format
        self.corpus = corpus.isEmpty ? [[]] : corpus
        self.seed = seed
        self.seconds = seconds
    }

    /// Reads every corpus entry, then mutated inputs until the time is up.
    public func run(in directory: String) -> FuzzReport {
        let target = FuzzTarget(format: format, directory: directory)
        var mutator = Mutator(seed: seed, format: format)
        var pool = corpus
        var seen: Set<String> = []
        var report = FuzzReport(format: format)
        let start = Date()
        var index = 0
        while true {
            let input: [UInt8]
            if index < corpus.count {
                input = corpus[index]
            } else {
                if Date().timeIntervalSince(start) >= seconds { break }
                let base = pool[mutator.below(pool.count)]
                input = mutator.mutate(base, other: pool[mutator.below(pool.count)])
            }
            index += 1
            beforeRun?(input)
            let began = Date()
            do {
                let outcome = try target.run(input)
                report.typedErrors += outcome.error == nil ? 0 : 1
                report.rejectedRecords += outcome.rejected
                // A new kind of outcome keeps the input for further mutation.
                let key = "\(outcome.error.map { String($0.drop(while: { $0 != ":" }).prefix(60)) } ?? "ok") r\(min(outcome.records, 3)) x\(min(outcome.rejected, 3))"
                if seen.insert(key).inserted, pool.count < 512 { pool.append(input) }
            } catch let failure as FuzzFailure {
                report.failures.append(failure)
                if report.failures.count >= 10 { break }
            } catch {
                report.failures.append(FuzzFailure(format: format, input: input, detail: "\(error)"))
            }
            report.slowestMilliseconds = max(report.slowestMilliseconds, Date().timeIntervalSince(began) * 1000)
            report.executions += 1
        }
        report.seconds = Date().timeIntervalSince(start)
        report.corpusSize = pool.count
        return report
    }

    /// The files of a corpus folder, sorted by name.
    public static func loadCorpus(_ directory: String) -> [[UInt8]] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        return names.sorted().compactMap { name in
            FileManager.default.contents(atPath: directory + "/" + name).map { [UInt8]($0) }
        }
    }
}
