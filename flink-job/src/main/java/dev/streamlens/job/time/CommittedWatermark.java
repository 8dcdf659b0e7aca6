package dev.streamlens.job.time;

import java.io.Serializable;

/**
 * Where a job started without state learns how far earlier runs of it got: the watermark whose
 * windows' rows they committed ({@code pipeline_progress}, read by
 * {@code dev.streamlens.job.io.PipelineProgress#committedWatermark}). Such a start resumes there
 * instead of at no time at all: the windows those runs had written stay closed to it
 * (docs/DESIGN.md, "A start without state").
 */
@FunctionalInterface
public interface CommittedWatermark extends Serializable {

    /** No earlier run to ask (tests, and pipelines without PostgreSQL). */
    CommittedWatermark NONE = () -> Long.MIN_VALUE;

    /**
     * The committed watermark, or {@link Long#MIN_VALUE} when nothing was committed yet. Throws when
     * it cannot be read: the subtask then fails and is restarted, rather than starting blind.
     */
    long read() throws Exception;
}
