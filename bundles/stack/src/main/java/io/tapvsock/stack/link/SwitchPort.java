package io.tapvsock.stack.link;

import io.netty.buffer.ByteBuf;
import io.tapvsock.api.FrameSink;
import io.tapvsock.api.NetworkPort;
import java.util.LinkedHashMap;
import java.util.Map;

/** One guest link on the {@link Switch}; the transport feeding it holds this as its {@link NetworkPort}. Network loop only. */
public final class SwitchPort implements NetworkPort {

    private final Switch owner;
    private final int id;
    private final FrameSink sink;
    private final String description;

    boolean attached = true;
    /** Written since the last flush: on the switch's list of sinks to flush. */
    boolean dirty;

    long framesReceived;
    long bytesReceived;
    long framesSent;
    long bytesSent;
    long drops;
    /** The source MAC of the first frame from this port (listeners were told); -1 before it. */
    long firstMac = -1;

    SwitchPort(Switch owner, int id, FrameSink sink, String description) {
        this.owner = owner;
        this.id = id;
        this.sink = sink;
        this.description = description;
    }

    @Override
    public int id() {
        return id;
    }

    public String description() {
        return description;
    }

    FrameSink sink() {
        return sink;
    }

    public boolean isAttached() {
        return attached;
    }

    /** False while the transport's outbound buffer is above its high-water mark. */
    public boolean isWritable() {
        return attached && sink.isWritable();
    }

    /** @param frame transferred: callee releases */
    @Override
    public void receive(ByteBuf frame) {
        owner.receive(this, frame, false);
    }

    /** @param frame transferred: callee releases */
    @Override
    public void receiveOffloaded(ByteBuf frame) {
        owner.receive(this, frame, true);
    }

    @Override
    public void endOfBurst() {
        owner.endOfBurst(this);
    }

    @Override
    public void detach() {
        owner.detach(this, null);
    }

    @Override
    public void detach(String failure) {
        owner.detach(this, failure);
    }

    /** Counters for /stats under Switch.Ports. */
    public Map<String, Object> snapshot() {
        Map<String, Object> snapshot = new LinkedHashMap<>();
        snapshot.put("Description", description);
        snapshot.put("FramesReceived", framesReceived);
        snapshot.put("BytesReceived", bytesReceived);
        snapshot.put("FramesSent", framesSent);
        snapshot.put("BytesSent", bytesSent);
        snapshot.put("Dropped", drops);
        return snapshot;
    }

    @Override
    public String toString() {
        return "port " + id + " (" + description + ")";
    }
}
