/// Options from `SLUICE_<OPTION>` environment variables and from a `--config` file: each
/// one set, whose option the command line does not give, is added to the arguments before
/// they are parsed, so the command line wins over the environment, the environment over the
/// file, and ArgumentParser validates them alike.
enum EnvironmentDefaults {
    /// An option that can come from the environment.
    struct Name: Equatable {
        /// The long name, without `--`.
        var option: String
        /// The environment variable.
        var variable: String
        /// A Boolean flag: set by `1`, `true` or `yes`.
        var isFlag = false
        /// A repeatable option: the variable holds a comma-separated list.
        var isList = false
    }

    /// `commandLine` (without the executable) with the environment's options added after the
    /// subcommand: the job's own options and ``KafkaPropertyOptions``' for `run` and `plan`,
    /// and ``RunOptions``' for `run`.
    static func arguments<Job: StreamJob>(
        for job: Job.Type, commandLine: [String], environment: [String: String]
    ) -> [String] {
        guard let subcommand = commandLine.first, subcommand == "run" || subcommand == "plan" else { return commandLine }
        var names = jobOptions(Job.self) + KafkaPropertyOptions.environmentNames
        if subcommand == "run" {
            names += RunOptions.environmentNames.map { Name(option: $0.option, variable: $0.variable, isFlag: $0.isFlag) }
        }
        let given = Array(commandLine.dropFirst())
        let options = Array(given.prefix { $0 != "--" })
        var added = added(names, notIn: options, environment: environment)
        if subcommand == "run", let config = configPath(in: options + added) {
            // A file's bad lines add nothing: `run` reads it again and reports the first,
            // naming the file, line and key.
            added += (try? ConfigFile.read(config, skippingBadLines: true))?.arguments(notIn: options + added) ?? []
        }
        return [subcommand] + added + given
    }

    /// The options of `names` set in `environment` and not given in `options`, as arguments.
    static func added(_ names: [Name], notIn options: [String], environment: [String: String]) -> [String] {
        var added: [String] = []
        for name in names {
            guard let value = environment[name.variable], !value.isEmpty, !gives(name.option, in: options) else { continue }
            if name.isFlag {
                if ["1", "true", "yes"].contains(value.lowercased()) { added.append("--\(name.option)") }
            } else if name.isList {
                added += value.split(separator: ",").map { "--\(name.option)=\($0)" }
            } else {
                added.append("--\(name.option)=\(value)")
            }
        }
        return added
    }

    /// Whether `arguments` give option `option` (its long name without `--`).
    static func gives(_ option: String, in arguments: [String]) -> Bool {
        arguments.contains { $0 == "--\(option)" || $0.hasPrefix("--\(option)=") }
    }

    /// The `--config` file named in `arguments`.
    static func configPath(in arguments: [String]) -> String? {
        for (index, argument) in arguments.enumerated() {
            if argument.hasPrefix("--config=") { return String(argument.dropFirst("--config=".count)) }
            if argument == "--config", index + 1 < arguments.count { return arguments[index + 1] }
        }
        return nil
    }

    /// The job's `@Option`s and `@Flag`s under their default names: `var maxDelay` is
    /// `--max-delay` and `SLUICE_MAX_DELAY`. Options given custom names are not found.
    static func jobOptions<Job: StreamJob>(_ job: Job.Type) -> [Name] {
        Mirror(reflecting: Job()).children.compactMap { child in
            guard let label = child.label, label.hasPrefix("_") else { return nil }
            let kind = String(describing: type(of: child.value))
            let isFlag = kind.hasPrefix("Flag<")
            guard isFlag || kind.hasPrefix("Option<") else { return nil }
            let option = kebabCase(String(label.dropFirst()))
            return Name(
                option: option, variable: "SLUICE_" + option.uppercased().replacingOccurrences(of: "-", with: "_"),
                isFlag: isFlag, isList: kind.hasPrefix("Option<Array<"))
        }
    }

    /// `maxDelay` → `max-delay`, `inputURL` → `input-url`, as ArgumentParser names options.
    static func kebabCase(_ name: String) -> String {
        let characters = Array(name)
        var out = ""
        for (index, character) in characters.enumerated() {
            if character.isUppercase, index > 0 {
                let previous = characters[index - 1]
                let next = index + 1 < characters.count ? characters[index + 1] : nil
                if previous.isLowercase || previous.isNumber || (previous.isUppercase && next?.isLowercase == true) {
                    out.append("-")
                }
            }
            out += character.lowercased()
        }
        return out
    }
}
