/// What the sandbox has seen since it started, or since the counters were last reset (`GET /_sandbox/stats`).
///
/// Request counts include refused and faulted requests but never `/_sandbox/...` admin requests; creation counts
/// include only creations the emulated vendor accepted. Counters are not saved in a data folder: state restored
/// from `sandbox.json` is not counted as created. `s3.objectsStored` is the number of objects held now.
public struct SandboxStats: Sendable, Equatable {
    /// The emulated Omnigage (`/omnigage/...`).
    public struct Omnigage: Sendable, Equatable {
        /// Requests received, upload forms handed out (`POST /uploads` 201), imports created (`POST /import-contacts` 201).
        public var requests: Int
        public var uploadsCreated: Int
        public var importsCreated: Int
        /// Rows the imports processed (a row imported twice counts twice), and contacts held now.
        public var rowsImported: Int
        public var contacts: Int

        public init(requests: Int = 0, uploadsCreated: Int = 0, importsCreated: Int = 0, rowsImported: Int = 0, contacts: Int = 0) {
            self.requests = requests
            self.uploadsCreated = uploadsCreated
            self.importsCreated = importsCreated
            self.rowsImported = rowsImported
            self.contacts = contacts
        }
    }

    /// The emulated S3 bucket (`/s3/...`).
    public struct S3: Sendable, Equatable {
        /// Requests received, POST uploads stored, and objects held now (a key posted twice is one object).
        public var requests: Int
        public var posts: Int
        public var objectsStored: Int

        public init(requests: Int = 0, posts: Int = 0, objectsStored: Int = 0) {
            self.requests = requests
            self.posts = posts
            self.objectsStored = objectsStored
        }
    }

    /// The emulated Whispir (`/whispir/...`).
    public struct Whispir: Sendable, Equatable {
        /// Requests received, resources created (`POST /resources` 201), imports accepted (`POST /imports` 202).
        public var requests: Int
        public var resourcesCreated: Int
        public var importsCreated: Int

        public init(requests: Int = 0, resourcesCreated: Int = 0, importsCreated: Int = 0) {
            self.requests = requests
            self.resourcesCreated = resourcesCreated
            self.importsCreated = importsCreated
        }
    }

    /// Every request outside `/_sandbox` (the three vendors, plus any path the sandbox does not serve).
    public var requests: Int
    public var omnigage: Omnigage
    public var s3: S3
    public var whispir: Whispir
    /// Faults handed out since the sandbox started (`/_sandbox/faults`).
    public var faultsInjected: Int

    public init(requests: Int = 0, omnigage: Omnigage = Omnigage(), s3: S3 = S3(), whispir: Whispir = Whispir(), faultsInjected: Int = 0) {
        self.requests = requests
        self.omnigage = omnigage
        self.s3 = s3
        self.whispir = whispir
        self.faultsInjected = faultsInjected
    }

    /// The admin endpoint's document (snake_case members).
    var json: JSONValue {
        .object([
            ("requests", .int(requests)),
            ("faults_injected", .int(faultsInjected)),
            ("omnigage", .object([("requests", .int(omnigage.requests)), ("uploads_created", .int(omnigage.uploadsCreated)),
                                  ("imports_created", .int(omnigage.importsCreated)), ("rows_imported", .int(omnigage.rowsImported)),
                                  ("contacts", .int(omnigage.contacts))])),
            ("s3", .object([("requests", .int(s3.requests)), ("posts", .int(s3.posts)), ("objects_stored", .int(s3.objectsStored))])),
            ("whispir", .object([("requests", .int(whispir.requests)), ("resources_created", .int(whispir.resourcesCreated)),
                                 ("imports_created", .int(whispir.importsCreated))])),
        ])
    }
}

/// Counts the requests that reach the vendors' routes (admin requests are not passed in).
actor RequestCounter {
    private var total = 0
    private var omnigage = 0
    private var s3 = 0
    private var whispir = 0

    /// One request whose first path segment is `vendor` (`nil` for `/`).
    func count(vendor: String?) {
        total += 1
        switch vendor {
        case "omnigage": omnigage += 1
        case "s3": s3 += 1
        case "whispir": whispir += 1
        default: break
        }
    }

    func counts() -> (total: Int, omnigage: Int, s3: Int, whispir: Int) { (total, omnigage, s3, whispir) }

    func reset() {
        total = 0
        omnigage = 0
        s3 = 0
        whispir = 0
    }
}
