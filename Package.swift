// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Sluice",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "RdKafka", targets: ["RdKafka"]),
        .library(name: "Sluice", targets: ["Sluice"]),
        .library(name: "SluiceKafka", targets: ["SluiceKafka"]),
        .library(name: "SluicePostgres", targets: ["SluicePostgres"]),
        .library(name: "SluiceFile", targets: ["SluiceFile"]),
        .library(name: "SluiceService", targets: ["SluiceService"]),
        .library(name: "SluiceJob", targets: ["SluiceJob"]),
        .library(name: "SluiceTesting", targets: ["SluiceTesting"]),
        .library(name: "KafkaLog", targets: ["KafkaLog"]),
        .library(name: "SluiceJobTesting", targets: ["SluiceJobTesting"]),
        .executable(name: "sluice", targets: ["SluiceCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Only SluicePostgres and what tests or runs it depend on these three.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        // `swift package generate-documentation`: a command plugin, built only when invoked.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // librdkafka through pkg-config; Debian's librdkafka-dev provides headers and the mock cluster.
        .systemLibrary(
            name: "CRdKafka",
            pkgConfig: "rdkafka",
            providers: [.apt(["librdkafka-dev"]), .brew(["librdkafka"])]
        ),
        // The compression codecs of Kafka record batches (Debian's zlib1g-dev, liblz4-dev,
        // libzstd-dev, libsnappy-dev), for KafkaLog, which decompresses batches itself.
        .systemLibrary(
            name: "CCompression",
            providers: [.apt(["zlib1g-dev", "liblz4-dev", "libzstd-dev", "libsnappy-dev"]), .brew(["zlib", "lz4", "zstd", "snappy"])]
        ),
        // A small blocking Kafka-protocol client that reads record batches as they are stored
        // (control batches, producer ids) and audits a topic as a read_committed reader sees it.
        // No librdkafka: librdkafka never exposes control records or batch headers.
        .target(name: "KafkaLog", dependencies: ["CCompression"]),
        // The safe Swift layer over librdkafka.
        .target(
            name: "RdKafka",
            dependencies: ["CRdKafka", .product(name: "Logging", package: "swift-log")]
        ),
        // The engine: DataStream API, planner, runtime, state, time, windows, connector protocols.
        // It imports neither RdKafka nor CRdKafka; metrics go through swift-metrics' API only.
        .target(
            name: "Sluice",
            dependencies: [
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        // The test kit: runs a job over in-memory topics with controlled time (TestDriver), or its
        // workers exactly once over an in-memory transactional broker through checkpoints, crashes
        // and rebalances (ExactlyOnceTestDriver). No broker, no librdkafka.
        .target(name: "SluiceTesting", dependencies: ["Sluice"]),
        // Kafka source, sink and commit point, built on RdKafka.
        .target(
            name: "SluiceKafka",
            dependencies: ["Sluice", "RdKafka", .product(name: "Logging", package: "swift-log")],
            path: "connectors/kafka"
        ),
        // PostgreSQL sink over PostgresNIO: exactly once by prepared transactions, or at least once.
        .target(
            name: "SluicePostgres",
            dependencies: [
                "Sluice", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "connectors/postgres"
        ),
        // File sink (part files made visible by rename when the checkpoint commits) and file
        // source (lines of a directory's files, byte positions in the checkpoint).
        .target(name: "SluiceFile", dependencies: ["Sluice"], path: "connectors/file"),
        // A running job as a swift-service-lifecycle Service, for a ServiceGroup (graceful
        // shutdown on signals, next to a user's own services).
        .target(
            name: "SluiceService",
            dependencies: [
                "Sluice",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The job command every job executable hands its pipeline to: run, plan, signals, errors.
        .target(
            name: "SluiceJob",
            dependencies: [
                "Sluice", "SluiceKafka", "RdKafka", "SluiceService",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // A StreamJob as it stands in the test kit's ExactlyOnceTestDriver. Apart from
        // SluiceTesting because SluiceJob links librdkafka, which tests of plain pipelines need not.
        .target(name: "SluiceJobTesting", dependencies: ["SluiceJob", "SluiceTesting", "Sluice"]),
        // `sluice demo`: the order-totals job exactly once through a rebalance and a crash, in
        // worker processes, on a broker the rig starts, its output audited by the rig.
        .target(
            name: "SluiceDemo",
            dependencies: [
                "Sluice", "SluiceKafka", "RdKafka", "SluiceService", "BrokerRig",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The `sluice` executable: operator tooling (checkpoints, offsets), and the demo's commands.
        // SluiceJob supplies the librdkafka properties options (--property, --properties-file,
        // --config, SLUICE_*) its commands share with every job command.
        .executableTarget(
            name: "SluiceCLI",
            dependencies: [
                "Sluice", "SluiceKafka", "RdKafka", "SluiceDemo", "KafkaLog", "SluiceJob",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The rig the tests and the demo share: starts the project's test brokers
        // (scripts/brokers.py), runs child processes (on librdkafka 2.16 where Tansu needs it),
        // reads topics as a read_committed consumer would (scripts/verify.py). No product: it
        // needs the repository's scripts and Python environment.
        .target(name: "BrokerRig"),
        // What broker-backed test targets share beyond the rig: their XCTest base class, a
        // metrics scrape.
        .target(name: "RigTestSupport", dependencies: ["BrokerRig"], path: "Tests/RigTestSupport"),
        // The jobs broker-backed tests run, in-process and in worker processes, the spec a worker
        // process runs, and the body of a worker process (WorkerBody).
        .target(
            name: "KafkaTestJobs",
            dependencies: [
                "Sluice", "SluiceKafka", "SluiceFile", "RdKafka", "SluiceService", .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/KafkaTestJobs"),
        // A worker process of a broker-backed test (not a test itself): runs a WorkerSpec's job
        // until stopped, printing its events for the test to read.
        .executableTarget(
            name: "sluice-test-worker",
            dependencies: ["KafkaTestJobs", "Sluice"],
            path: "Tests/SluiceTestWorker"),
        // The PostgreSQL sink tests' job, and the worker process that runs it (apart from
        // sluice-test-worker, so only these link PostgresNIO).
        .target(
            name: "PostgresTestJobs", dependencies: ["KafkaTestJobs", "Sluice", "SluiceKafka", "RdKafka", "SluicePostgres"],
            path: "Tests/PostgresTestJobs"),
        .executableTarget(
            name: "sluice-postgres-test-worker", dependencies: ["PostgresTestJobs", "KafkaTestJobs"], path: "Tests/PostgresTestWorker"),
        // The seed example: fromElements -> keyBy -> 5 s event-time window -> process -> print.
        .executableTarget(name: "seed-window", dependencies: ["Sluice"], path: "examples/seed-window"),
        // Kafka examples on the job command: scripts/example.sh word-count|order-totals|dead-letters|kafka-to-files.
        // The word count's StreamJob is a library, so SluiceJobTestingTests runs the job itself.
        .target(name: "WordCountJob", dependencies: ["Sluice", "SluiceJob"], path: "examples/word-count/WordCountJob"),
        .executableTarget(
            name: "word-count", dependencies: ["WordCountJob"], path: "examples/word-count", exclude: ["WordCountJob"]),
        .executableTarget(name: "order-totals", dependencies: ["Sluice", "SluiceKafka", "SluiceJob"], path: "examples/order-totals"),
        .executableTarget(name: "dead-letters", dependencies: ["Sluice", "SluiceKafka", "SluiceJob"], path: "examples/dead-letters"),
        // The word count into a PostgreSQL table, exactly once: scripts/example.sh kafka-to-postgres.
        .executableTarget(
            name: "kafka-to-postgres", dependencies: ["Sluice", "SluiceJob", "SluicePostgres"], path: "examples/kafka-to-postgres"),
        .executableTarget(
            name: "kafka-to-files", dependencies: ["Sluice", "SluiceFile", "SluiceJob"], path: "examples/kafka-to-files"),
        // README's "A job" snippet, compiled as it stands; ReadmeExampleTests keeps the two equal.
        .executableTarget(name: "readme-job", dependencies: ["Sluice", "SluiceJob"], path: "examples/readme-job"),
        // Engine-only benchmarks (no Kafka): records/s and ns/record on one thread.
        .executableTarget(name: "sluice-engine-bench", dependencies: ["Sluice"], path: "Benchmarks/EngineBenchmark"),
        // JSONCodec against BinaryCodec: bytes per element; instruction counts with perf stat.
        .executableTarget(name: "sluice-codec-bench", dependencies: ["Sluice"], path: "Benchmarks/CodecBenchmark"),
        // On Tansu: RdKafka against kcat (produce, consume), and a Kafka -> Kafka map job against
        // a kcat -> kcat pipe.
        .executableTarget(
            name: "sluice-kafka-bench", dependencies: ["RdKafka", "Sluice", "SluiceKafka"], path: "Benchmarks/KafkaBenchmark"),
        // On Tansu: exactly-once against at-least-once, checkpoint durations, end-to-end latency.
        .executableTarget(
            name: "sluice-eos-bench", dependencies: ["RdKafka", "Sluice", "SluiceKafka"], path: "Benchmarks/ExactlyOnceBenchmark"),
        // The PostgreSQL sink's rows/s, exactly-once against at-least-once (scripts/bench-postgres.sh).
        .executableTarget(
            name: "sluice-postgres-bench", dependencies: ["Sluice", "SluicePostgres"], path: "Benchmarks/PostgresBenchmark"),
        // On Tansu: the file sink exactly-once against at-least-once, and peak memory.
        .executableTarget(
            name: "sluice-file-bench", dependencies: ["RdKafka", "Sluice", "SluiceKafka", "SluiceFile"],
            path: "Benchmarks/FileSinkBenchmark"),
        .testTarget(name: "RdKafkaTests", dependencies: ["RdKafka", "CRdKafka", "BrokerRig", "RigTestSupport"]),
        .testTarget(name: "SluiceTests", dependencies: ["Sluice", "SluiceTesting"]),
        // Record batches built byte by byte, compressed with the C libraries themselves.
        .testTarget(name: "KafkaLogTests", dependencies: ["KafkaLog", "CCompression"]),
        .testTarget(name: "SluiceTestingTests", dependencies: ["SluiceTesting", "Sluice"]),
        .testTarget(name: "SluiceFileTests", dependencies: ["SluiceFile", "Sluice"]),
        // The word-count example's StreamJob through checkpoints, a crash and a rebalance in the test kit.
        .testTarget(
            name: "SluiceJobTestingTests", dependencies: ["SluiceJobTesting", "SluiceJob", "SluiceTesting", "Sluice", "WordCountJob"]),
        .testTarget(
            name: "SluiceJobTests",
            dependencies: [
                "SluiceJob", "Sluice", "BrokerRig", "RigTestSupport", .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"), .product(name: "Logging", package: "swift-log"),
            ]),
        // README's job snippet against its compiled source, planned and run on the mock cluster.
        .testTarget(name: "ReadmeExampleTests", dependencies: ["RdKafka", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "SluiceKafkaTests",
            dependencies: ["SluiceKafka", "Sluice", "RdKafka", "BrokerRig", "RigTestSupport", "KafkaTestJobs"]),
        // The PostgreSQL sink against a real server (scripts/postgres.py), alone and in jobs from
        // Tansu killed at random moments.
        .testTarget(
            name: "SluicePostgresTests",
            dependencies: [
                "SluicePostgres", "Sluice", "SluiceKafka", "RdKafka", "BrokerRig", "RigTestSupport", "KafkaTestJobs",
                "PostgresTestJobs",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
