import ArgumentParser
import Foundation

/// `<job> run`: runs the job's workers in this process until stopped, or to `--until`.
struct RunCommand<Job: StreamJob>: ParsableCommand {
    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: "run",
            abstract: "Run the job as members of its consumer group until SIGINT/SIGTERM (graceful stop, leaving the group), SIGUSR1 (graceful stop for a restart, keeping the workers' places) or --until.")
    }

    @OptionGroup(title: "Run options")
    var options: RunOptions

    @OptionGroup(title: "Job options")
    var job: Job

    func run() throws {
        LoggingSetup.install(level: options.logLevel.level, format: options.logFormat)
        do {
            let metrics = try options.metricsPort.map { port in
                let endpoint = try MetricsEndpoint(host: options.metricsAddress, port: port)
                endpoint.bootstrap()
                print("\(Job.name): metrics at \(endpoint.url)")
                fflush(nil)  // a pipe buffers stdout; whoever scrapes needs the port now
                return endpoint
            }
            defer { metrics?.stop() }
            try JobRun(job: job, options: options).execute()
        } catch let exit as ExitCode {
            throw exit
        } catch {
            throw JobFailure.report(error, job: Job.name, format: options.logFormat)
        }
    }
}
