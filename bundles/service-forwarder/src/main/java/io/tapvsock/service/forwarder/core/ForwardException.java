package io.tapvsock.service.forwarder.core;

/**
 * A forward that cannot be opened or closed; its message is the text the API answers with status 500, in
 * gvproxy's words where it has them ("proxy already running for tcp on 127.0.0.1:9090", "proxy not found").
 */
public final class ForwardException extends Exception {

    public ForwardException(String message) {
        super(message);
    }

    public ForwardException(String message, Throwable cause) {
        super(message, cause);
    }
}
