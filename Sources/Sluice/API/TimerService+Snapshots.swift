/// Timers in checkpoints: one ``KeyedStateEntry`` per key under ``ReservedStateName/timers``,
/// beside the operator's keyed state.
///
/// A payload lists the key's event-time timers, then its processing-time timers, each as a
/// count followed by (timestamp, sequence number) pairs; the sequence numbers keep the firing
/// order of timers that share a timestamp (see ``TimerQueue``).
extension TimerService {
    /// Hands `body` an entry for every key with pending timers, or (`changesOnly`) for every key
    /// whose timers were registered, deleted or fired since the last snapshot, `nil` payload for
    /// a key with none left; then forgets the changes. One pass over the pending timers.
    func snapshotEntries(
        changesOnly: Bool, keyCodec: any Codec<Key>, operatorName: String, into body: (KeyedStateEntry) throws -> Void
    ) throws {
        if changesOnly, !tracksChanges {
            throw StateError.changesNotTracked("the timers of operator '\(operatorName)'")
        }
        var timersOfKey: [Key: TimerPayload] = [:]
        eventTimers.forEachPending { timer, sequence in
            if !changesOnly || changedKeys.contains(timer.key) {
                timersOfKey[timer.key, default: TimerPayload()].event.append((timer.timestamp, sequence))
            }
        }
        processingTimers.forEachPending { timer, sequence in
            if !changesOnly || changedKeys.contains(timer.key) {
                timersOfKey[timer.key, default: TimerPayload()].processing.append((timer.timestamp, sequence))
            }
        }
        if changesOnly {
            for key in changedKeys {
                try body(KeyedStateEntry(
                    state: ReservedStateName.timers, key: try keyCodec.serialize(key), payload: timersOfKey[key]?.encoded()))
            }
        } else {
            for (key, timers) in timersOfKey {
                try body(KeyedStateEntry(state: ReservedStateName.timers, key: try keyCodec.serialize(key), payload: timers.encoded()))
            }
        }
        changedKeys.removeAll()
    }

    /// Keeps `payload` as `key`'s timers until ``finishRestore()``; a later entry of the same key
    /// replaces it, `nil` removes it.
    func applyEntry(_ payload: [UInt8]?, to key: Key) {
        restoredTimers[key] = payload
    }

    /// Queues every restored timer with its sequence number. Restoring records no change.
    func finishRestore() throws {
        for (key, payload) in restoredTimers {
            let timers = try TimerPayload(decoding: payload)
            for (timestamp, sequence) in timers.event {
                eventTimers.restore(Timer(timestamp: timestamp, key: key, namespace: TimerNamespace()), sequence: sequence)
            }
            for (timestamp, sequence) in timers.processing {
                processingTimers.restore(Timer(timestamp: timestamp, key: key, namespace: TimerNamespace()), sequence: sequence)
            }
        }
        restoredTimers = [:]
    }
}
