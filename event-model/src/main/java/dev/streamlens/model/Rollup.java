package dev.streamlens.model;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * How a column of a metrics row ({@link MetricsRow}) combines when rows are rolled up into a
 * coarser span (an hour, a query's bucket): the catalogue the storage code derives its SQL from
 * ({@link MetricColumns}).
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Rollup {

    Kind value();

    enum Kind {
        /** Identifies the series and its span: tenant, route, model, window start. */
        KEY,
        /** The end of the span: the rollup's own. */
        SPAN,
        /** Added up. */
        SUM,
        /** The highest of the rows' values (the newest price version any of the calls was priced as of). */
        HIGHEST,
        /** An encoded sketch, merged. */
        SKETCH,
        /** An encoded summary of who the calls were for ({@link dev.streamlens.model.attribution.Contributors}), merged. */
        TOP,
        /** Computed from the sums and sketches ({@link CallTotals}), never added up. */
        DERIVED,
        /** Which computation wrote the row (revision, job run): the rollup's own. */
        BOOKKEEPING
    }
}
