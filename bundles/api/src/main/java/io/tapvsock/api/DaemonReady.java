package io.tapvsock.api;

/**
 * The daemon's readiness as a service: once startup has finished (every listener's socket exists, the moment
 * podman takes as "ready"), the launcher registers an object under {@code java.lang.Object} with the property
 * {@value #PROPERTY}{@code =true}. The launcher runs its own copy of this package, so the service cannot carry
 * one of its types; consumers select it with {@link #FILTER}.
 */
public final class DaemonReady {

    /** Service property of the readiness marker. */
    public static final String PROPERTY = "tapvsock.daemon.ready";
    /** Target filter that selects the readiness marker. */
    public static final String FILTER = "(" + PROPERTY + "=true)";

    private DaemonReady() {
    }
}
