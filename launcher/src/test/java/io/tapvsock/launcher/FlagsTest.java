package io.tapvsock.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class FlagsTest {

    private static Flags grammar() {
        return new Flags("gvproxy")
                .bool("debug", "debug logging")
                .string("pid-file", "pid file")
                .integer("mtu", "link MTU", 1500)
                .repeated("listen", "endpoint");
    }

    private static Flags.Parsed parse(String... args) throws Exception {
        return grammar().parse(List.of(args));
    }

    private static FlagException error(String... args) {
        return assertThrows(FlagException.class, () -> parse(args));
    }

    @Test
    void value_as_next_argument_or_after_equals_with_one_or_two_dashes() throws Exception {
        assertEquals("/a", parse("-pid-file", "/a").value("pid-file"));
        assertEquals("/b", parse("-pid-file=/b").value("pid-file"));
        assertEquals("/c", parse("--pid-file", "/c").value("pid-file"));
        assertEquals("/d", parse("--pid-file=/d").value("pid-file"));
    }

    @Test
    void value_after_equals_may_contain_equals_and_be_empty() throws Exception {
        assertEquals("a=b", parse("-pid-file=a=b").value("pid-file"));
        assertEquals("", parse("-pid-file=").value("pid-file"));
        assertTrue(parse("-pid-file=").isSet("pid-file"));
    }

    @Test
    void a_value_may_start_with_a_dash() throws Exception {
        assertEquals(-1, parse("-mtu", "-1").integer("mtu"));
    }

    @Test
    void boolean_alone_is_true_and_accepts_go_spellings() throws Exception {
        assertTrue(parse("-debug").bool("debug"));
        assertTrue(parse("--debug").bool("debug"));
        for (String yes : List.of("1", "t", "T", "true", "TRUE", "True")) {
            assertTrue(parse("-debug=" + yes).bool("debug"), yes);
        }
        for (String no : List.of("0", "f", "F", "false", "FALSE", "False")) {
            assertFalse(parse("-debug=" + no).bool("debug"), no);
        }
    }

    @Test
    void boolean_does_not_take_the_next_argument() throws Exception {
        Flags.Parsed parsed = parse("-debug", "false", "-mtu", "9000");
        assertTrue(parsed.bool("debug"));
        assertEquals(List.of("false", "-mtu", "9000"), parsed.arguments());
        assertEquals(1500, parsed.integer("mtu"));
    }

    @Test
    void bad_boolean_value() {
        assertEquals("invalid boolean value \"yes\" for -debug: parse error", error("-debug=yes").getMessage());
    }

    @Test
    void repeated_flag_accumulates_in_order() throws Exception {
        Flags.Parsed parsed = parse("-listen", "unix:///a", "--listen=tcp://127.0.0.1:1", "-listen", "unix:///b");
        assertEquals(List.of("unix:///a", "tcp://127.0.0.1:1", "unix:///b"), parsed.all("listen"));
    }

    @Test
    void ordinary_flag_given_twice_keeps_the_last_value() throws Exception {
        assertEquals(9000, parse("-mtu", "1400", "-mtu=9000").integer("mtu"));
    }

    @Test
    void defaults_when_not_given() throws Exception {
        Flags.Parsed parsed = parse();
        assertFalse(parsed.isSet("mtu"));
        assertEquals(1500, parsed.integer("mtu"));
        assertFalse(parsed.bool("debug"));
        assertEquals(List.of(), parsed.all("listen"));
    }

    @Test
    void integers_take_go_bases_and_reject_garbage() throws Exception {
        assertEquals(16, parse("-mtu=0x10").integer("mtu"));
        assertEquals(8, parse("-mtu=010").integer("mtu"));
        assertEquals("invalid value \"abc\" for flag -mtu: parse error", error("-mtu", "abc").getMessage());
        assertEquals("invalid value \"99999999999\" for flag -mtu: value out of range",
                error("-mtu", "99999999999").getMessage());
        assertEquals("invalid value \"#10\" for flag -mtu: parse error", error("-mtu=#10").getMessage());
    }

    @Test
    void parsing_stops_at_the_first_non_flag_and_after_double_dash() throws Exception {
        assertEquals(List.of("x", "-debug"), parse("-mtu", "9000", "x", "-debug").arguments());
        Flags.Parsed parsed = parse("-debug", "--", "-mtu", "1");
        assertEquals(List.of("-mtu", "1"), parsed.arguments());
        assertFalse(parsed.isSet("mtu"));
        assertEquals(List.of("-"), parse("-").arguments());
    }

    @Test
    void unknown_flag_uses_go_wording_and_asks_for_usage() {
        FlagException e = error("-x");
        assertEquals("flag provided but not defined: -x", e.getMessage());
        assertTrue(e.showUsage());
        assertEquals("flag provided but not defined: -nope", error("--nope=1").getMessage());
    }

    @Test
    void missing_argument() {
        assertEquals("flag needs an argument: -pid-file", error("-pid-file").getMessage());
    }

    @Test
    void bad_syntax() {
        assertEquals("bad flag syntax: ---debug", error("---debug").getMessage());
        assertEquals("bad flag syntax: -=x", error("-=x").getMessage());
    }

    @Test
    void help_and_h_request_the_usage() {
        assertThrows(Flags.HelpRequested.class, () -> parse("-help"));
        assertThrows(Flags.HelpRequested.class, () -> parse("--h"));
        assertThrows(Flags.HelpRequested.class, () -> parse("-debug", "-h"));
    }

    @Test
    void usage_looks_like_go() {
        String usage = grammar().usage();
        assertEquals("""
                Usage of gvproxy:
                  -debug
                    \tdebug logging
                  -listen value
                    \tendpoint
                  -mtu int
                    \tlink MTU (default 1500)
                  -pid-file string
                    \tpid file
                """, usage);
    }

    @Test
    void one_letter_flags_keep_their_usage_on_the_same_line() {
        assertEquals("Usage of p:\n  -v\tverbose\n", new Flags("p").bool("v", "verbose").usage());
    }
}
