package io.tapvsock.tap.forwarder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The rules of Go's flag package, message for message. */
class GoFlagSetTest {

    private static GoFlagSet flags() {
        GoFlagSet flags = new GoFlagSet("prog");
        flags.stringFlag("name", "tap0", "interface name");
        flags.intFlag("mtu", 4000, "mtu");
        flags.boolFlag("debug", false, "debug");
        return flags;
    }

    private static GoFlagSet parse(String... args) throws FlagException {
        GoFlagSet flags = flags();
        flags.parse(List.of(args));
        return flags;
    }

    private static String error(String... args) {
        FlagException e = assertThrows(FlagException.class, () -> parse(args));
        assertFalse(e.isHelp());
        return e.getMessage();
    }

    @Test
    void defaults_whenNothingGiven() throws Exception {
        GoFlagSet flags = parse();
        assertEquals("tap0", flags.stringValue("name"));
        assertEquals(4000, flags.intValue("mtu"));
        assertFalse(flags.boolValue("debug"));
        assertEquals(List.of(), flags.args());
    }

    @Test
    void valueForms_oneAndTwoDashes_spaceAndEquals() throws Exception {
        assertEquals("a", parse("-name", "a").stringValue("name"));
        assertEquals("b", parse("-name=b").stringValue("name"));
        assertEquals("c", parse("--name", "c").stringValue("name"));
        assertEquals("d", parse("--name=d").stringValue("name"));
        assertEquals("", parse("-name=").stringValue("name"));
        assertEquals("x=y", parse("-name=x=y").stringValue("name"));
        assertEquals("-dash", parse("-name", "-dash").stringValue("name"));
    }

    @Test
    void booleans_aloneOrWithEquals() throws Exception {
        assertTrue(parse("-debug").boolValue("debug"));
        assertTrue(parse("--debug").boolValue("debug"));
        for (String yes : List.of("1", "t", "T", "true", "TRUE", "True")) {
            assertTrue(parse("-debug=" + yes).boolValue("debug"), yes);
        }
        for (String no : List.of("0", "f", "F", "false", "FALSE", "False")) {
            assertFalse(parse("-debug", "-debug=" + no).boolValue("debug"), no);
        }
    }

    @Test
    void boolean_doesNotTakeTheNextArgument_whichEndsTheFlags() throws Exception {
        GoFlagSet flags = parse("-debug", "false", "-mtu", "1500");
        assertTrue(flags.boolValue("debug"));
        assertEquals(4000, flags.intValue("mtu"));
        assertEquals(List.of("false", "-mtu", "1500"), flags.args());
    }

    @Test
    void ints_inGoSyntax() throws Exception {
        assertEquals(1500, parse("-mtu", "1500").intValue("mtu"));
        assertEquals(1500, parse("-mtu=0x5dc").intValue("mtu"));
        assertEquals(1500, parse("-mtu=0o2734").intValue("mtu"));
        assertEquals(1500, parse("-mtu=02734").intValue("mtu"));
        assertEquals(5, parse("-mtu=0b101").intValue("mtu"));
        assertEquals(1500, parse("-mtu=0x5_dc").intValue("mtu"));
        assertEquals(1500, parse("-mtu=1_500").intValue("mtu"));
        assertEquals(7, parse("-mtu=0_7").intValue("mtu"));
        assertEquals(-1, parse("-mtu=-1").intValue("mtu"));
        assertEquals(7, parse("-mtu=+7").intValue("mtu"));
    }

    @Test
    void repeatedFlag_lastWins() throws Exception {
        assertEquals(1500, parse("-mtu", "9000", "--mtu=1500").intValue("mtu"));
    }

    @Test
    void flagsEnd_atNonFlag_dashAlone_orDoubleDash() throws Exception {
        assertEquals(List.of("pos", "-debug"), parse("-mtu", "1", "pos", "-debug").args());
        assertEquals(List.of("-", "-debug"), parse("-", "-debug").args());
        GoFlagSet flags = parse("--", "-debug");
        assertFalse(flags.boolValue("debug"));
        assertEquals(List.of("-debug"), flags.args());
    }

    @Test
    void errors_haveGoMessages() {
        assertEquals("flag provided but not defined: -x", error("-x"));
        assertEquals("flag provided but not defined: -x", error("--x=1"));
        assertEquals("flag needs an argument: -mtu", error("-mtu"));
        assertEquals("flag needs an argument: -name", error("--name"));
        assertEquals("invalid value \"abc\" for flag -mtu: parse error", error("-mtu", "abc"));
        assertEquals("invalid value \"1__000\" for flag -mtu: parse error", error("-mtu", "1__000"));
        assertEquals("invalid value \"_1\" for flag -mtu: parse error", error("-mtu", "_1"));
        assertEquals("invalid value \"1_\" for flag -mtu: parse error", error("-mtu", "1_"));
        assertEquals("invalid value \"08\" for flag -mtu: parse error", error("-mtu=08"));
        assertEquals("invalid value \"\" for flag -mtu: parse error", error("-mtu="));
        assertEquals("invalid value \"99999999999999999999\" for flag -mtu: value out of range",
                error("-mtu", "99999999999999999999"));
        assertEquals("invalid boolean value \"yes\" for -debug: parse error", error("-debug=yes"));
        assertEquals("bad flag syntax: ---debug", error("---debug"));
        assertEquals("bad flag syntax: -=x", error("-=x"));
    }

    @Test
    void helpAndH_areHelpRequests_unlessDefined() throws Exception {
        assertTrue(assertThrows(FlagException.class, () -> parse("-help")).isHelp());
        assertTrue(assertThrows(FlagException.class, () -> parse("-h")).isHelp());
        assertTrue(assertThrows(FlagException.class, () -> parse("--help", "-x")).isHelp());
        GoFlagSet flags = new GoFlagSet("prog");
        flags.boolFlag("h", false, "own h");
        flags.parse(List.of("-h"));
        assertTrue(flags.boolValue("h"));
    }

    @Test
    void usage_looksLikeGoPrintDefaults() {
        GoFlagSet flags = flags();
        flags.stringFlag("empty", "", "no default shown");
        flags.intFlag("zero", 0, "multi\nline");
        flags.boolFlag("on", true, "defaults to true");
        assertEquals("""
                Usage of prog:
                  -debug
                    \tdebug
                  -empty string
                    \tno default shown
                  -mtu int
                    \tmtu (default 4000)
                  -name string
                    \tinterface name (default "tap0")
                  -on
                    \tdefaults to true (default true)
                  -zero int
                    \tmulti
                    \tline
                """, flags.usage());
    }
}
