/**
 * What every transport bundle shares: {@link io.tapvsock.transport.common.LinkCounters}.
 */
@Export
@Version("1.0.0")
package io.tapvsock.transport.common;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
