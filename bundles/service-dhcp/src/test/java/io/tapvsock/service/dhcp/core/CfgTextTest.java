package io.tapvsock.service.dhcp.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class CfgTextTest {

    @Test
    void set_goesUnderTheCommentedExample() {
        String text = "# Static leases.\n#staticLeases = 192.168.127.2=5a:94:ef:e4:0c:ee\n\n#leaseFile =\n";
        assertEquals("# Static leases.\n#staticLeases = 192.168.127.2=5a:94:ef:e4:0c:ee\nstaticLeases = x=y\n\n"
                + "#leaseFile =\n", CfgText.set(text, "staticLeases", "x=y"));
    }

    @Test
    void set_replacesTheActiveLineAndDropsRepeats() {
        String text = "leaseSeconds = 60\nstaticLeases=a=b\n#staticLeases = old\nstaticLeases : c=d\n";
        assertEquals("leaseSeconds = 60\nstaticLeases = x=y\n#staticLeases = old\n",
                CfgText.set(text, "staticLeases", "x=y"));
    }

    @Test
    void set_appendsWhenTheKeyIsNowhere() {
        assertEquals("leaseSeconds = 60\nstaticLeases = x=y\n", CfgText.set("leaseSeconds = 60", "staticLeases", "x=y"));
        assertEquals("staticLeasesExtra = 1\nstaticLeases = x=y\n",
                CfgText.set("staticLeasesExtra = 1\n", "staticLeases", "x=y"));
    }
}
