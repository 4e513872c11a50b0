/*
 * The shipped tables of `tend deps scan`: which C headers come from which
 * pkg-config module and Debian package, which headers, Python modules and
 * node modules come with the toolchain itself, and which Python imports
 * are installed under another name. Lookups are linear: the tables are
 * small, and a scan asks once per distinct name.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/strv.h"
#include "deps/scan.h"

/* A header, or a folder of headers when it ends in '/'. */
struct header_source {
	const char	*header;
	const char	*pkgconfig;	/* NULL: none; the Debian package is declared instead */
	const char	*debian;
};

static const struct header_source header_sources[] = {
	{ "uv.h", "libuv", "libuv1-dev" },
	{ "uv/", "libuv", "libuv1-dev" },
	{ "curl/", "libcurl", "libcurl4-openssl-dev" },
	{ "jansson.h", "jansson", "libjansson-dev" },
	{ "yaml.h", "yaml-0.1", "libyaml-dev" },
	{ "sqlite3.h", "sqlite3", "libsqlite3-dev" },
	{ "microhttpd.h", "libmicrohttpd", "libmicrohttpd-dev" },
	{ "openssl/", "openssl", "libssl-dev" },
	{ "cmocka.h", "cmocka", "libcmocka-dev" },
	{ "zlib.h", "zlib", "zlib1g-dev" },
	{ "pcre2.h", "libpcre2-8", "libpcre2-dev" },
	{ "pcre.h", "libpcre", "libpcre3-dev" },
	{ "event2/", "libevent", "libevent-dev" },
	{ "event.h", "libevent", "libevent-dev" },
	{ "ev.h", NULL, "libev-dev" },
	{ "glib.h", "glib-2.0", "libglib2.0-dev" },
	{ "glib/", "glib-2.0", "libglib2.0-dev" },
	{ "gio/", "gio-2.0", "libglib2.0-dev" },
	{ "systemd/", "libsystemd", "libsystemd-dev" },
	{ "lzma.h", "liblzma", "liblzma-dev" },
	{ "bzlib.h", NULL, "libbz2-dev" },
	{ "zstd.h", "libzstd", "libzstd-dev" },
	{ "lz4.h", "liblz4", "liblz4-dev" },
	{ "archive.h", "libarchive", "libarchive-dev" },
	{ "ncurses.h", "ncurses", "libncurses-dev" },
	{ "curses.h", "ncurses", "libncurses-dev" },
	{ "readline/", "readline", "libreadline-dev" },
	{ "uuid/", "uuid", "uuid-dev" },
	{ "gnutls/", "gnutls", "libgnutls28-dev" },
	{ "sodium.h", "libsodium", "libsodium-dev" },
	{ "hiredis/", "hiredis", "libhiredis-dev" },
	{ "libpq-fe.h", "libpq", "libpq-dev" },
	{ "mysql/", "mysqlclient", "default-libmysqlclient-dev" },
	{ "libxml/", "libxml-2.0", "libxml2-dev" },
	{ "expat.h", "expat", "libexpat1-dev" },
	{ "ffi.h", "libffi", "libffi-dev" },
	{ "cjson/", "libcjson", "libcjson-dev" },
	{ "cJSON.h", "libcjson", "libcjson-dev" },
	{ "json-c/", "json-c", "libjson-c-dev" },
	{ "mosquitto.h", "libmosquitto", "libmosquitto-dev" },
	{ "libusb-1.0/", "libusb-1.0", "libusb-1.0-0-dev" },
	{ "png.h", "libpng", "libpng-dev" },
	{ "jpeglib.h", "libjpeg", "libjpeg-dev" },
	{ "seccomp.h", "libseccomp", "libseccomp-dev" },
	{ "sys/capability.h", "libcap", "libcap-dev" },
	{ "magic.h", "libmagic", "libmagic-dev" },
	{ "libmnl/", "libmnl", "libmnl-dev" },
	{ "netlink/", "libnl-3.0", "libnl-3-dev" },
	{ "gmp.h", "gmp", "libgmp-dev" },
	{ "pcap.h", "libpcap", "libpcap-dev" },
	{ "pcap/", "libpcap", "libpcap-dev" },
	{ "nghttp2/", "libnghttp2", "libnghttp2-dev" },
	{ "git2.h", "libgit2", "libgit2-dev" },
	{ "git2/", "libgit2", "libgit2-dev" },
	{ "mbedtls/", NULL, "libmbedtls-dev" },
	{ "X11/", "x11", "libx11-dev" },
	{ "SDL2/", "sdl2", "libsdl2-dev" },
	{ "dbus/", "dbus-1", "libdbus-1-dev" },
	{ "talloc.h", "talloc", "libtalloc-dev" },
	{ "criterion/", "criterion", "libcriterion-dev" },
	{ "CUnit/", "cunit", "libcunit1-dev" },
	{ "check.h", "check", "check" },
	{ "cairo.h", "cairo", "libcairo2-dev" },
	{ "cairo/", "cairo", "libcairo2-dev" },
	{ "pulse/", "libpulse", "libpulse-dev" },
	{ "alsa/", "alsa", "libasound2-dev" },
	{ "libudev.h", "libudev", "libudev-dev" },
	{ "blkid/", "blkid", "libblkid-dev" },
	{ "selinux/", "libselinux", "libselinux1-dev" },
	{ "security/", NULL, "libpam0g-dev" },
	{ "krb5.h", "krb5", "libkrb5-dev" },
	{ "ldap.h", NULL, "libldap-dev" },
	{ "tiffio.h", "libtiff-4", "libtiff-dev" },
	{ "gcrypt.h", "libgcrypt", "libgcrypt20-dev" },
	{ "gpgme.h", "gpgme", "libgpgme-dev" },
	{ "libssh/", "libssh", "libssh-dev" },
	{ "libssh2.h", "libssh2", "libssh2-1-dev" },
	{ "zmq.h", "libzmq", "libzmq3-dev" },
	{ "msgpack.h", "msgpack-c", "libmsgpack-dev" },
	{ "protobuf-c/", "libprotobuf-c", "libprotobuf-c-dev" },
	{ "libwebsockets.h", "libwebsockets", "libwebsockets-dev" },
	{ "ares.h", "libcares", "libc-ares-dev" },
	{ "lua.h", NULL, "liblua5.4-dev" },
	{ "tcl.h", NULL, "tcl-dev" },
	{ "Python.h", "python3", "python3-dev" },
	{ "libmemcached/", "libmemcached", "libmemcached-dev" },
	{ "maxminddb.h", "libmaxminddb", "libmaxminddb-dev" },
	{ "yajl/", "yajl", "libyajl-dev" },
	{ "libconfig.h", "libconfig", "libconfig-dev" },
	{ "inih/", NULL, "libinih-dev" },
	{ "ini.h", "inih", "libinih-dev" },
	{ "popt.h", "popt", "libpopt-dev" },
	{ "attr/", "libattr", "libattr1-dev" },
	{ "acl/", "libacl", "libacl1-dev" },
	{ "sys/acl.h", "libacl", "libacl1-dev" },
	{ "mnl/", "libmnl", "libmnl-dev" },
	{ "libnftnl/", "libnftnl", "libnftnl-dev" },
	{ "bpf/", "libbpf", "libbpf-dev" },
	{ "liburing.h", "liburing", "liburing-dev" },
	{ "numa.h", NULL, "libnuma-dev" },
	{ "hwloc.h", "hwloc", "libhwloc-dev" },
	{ "jemalloc/", "jemalloc", "libjemalloc-dev" },
	{ "gperftools/", "libprofiler", "libgoogle-perftools-dev" },
	{ "unicode/", "icu-uc", "libicu-dev" },
	{ "fuse.h", "fuse", "libfuse-dev" },
	{ "fuse3/", "fuse3", "libfuse3-dev" },
	{ "libmount/", "mount", "libmount-dev" },
	{ "kmod.h", "libkmod", "libkmod-dev" },
	{ "libevdev/", "libevdev", "libevdev-dev" },
	{ "freetype2/", "freetype2", "libfreetype-dev" },
	{ "ft2build.h", "freetype2", "libfreetype-dev" },
	{ "fontconfig/", "fontconfig", "libfontconfig-dev" },
	{ "GL/", "gl", "libgl-dev" },
	{ "EGL/", "egl", "libegl-dev" },
	{ "vulkan/", "vulkan", "libvulkan-dev" },
	{ "gtk/", "gtk+-3.0", "libgtk-3-dev" },
	{ "boost/", NULL, "libboost-dev" },
	{ "gtest/", "gtest", "libgtest-dev" },
	{ "gmock/", "gmock", "libgmock-dev" },
	{ "benchmark/", "benchmark", "libbenchmark-dev" },
	{ "fmt/", "fmt", "libfmt-dev" },
	{ "spdlog/", "spdlog", "libspdlog-dev" },
	{ "nlohmann/", NULL, "nlohmann-json3-dev" },
	{ "yaml-cpp/", "yaml-cpp", "libyaml-cpp-dev" },
	{ "Eigen/", "eigen3", "libeigen3-dev" },
	{ "eigen3/", "eigen3", "libeigen3-dev" },
	{ "opencv2/", "opencv4", "libopencv-dev" },
	{ "tbb/", "tbb", "libtbb-dev" },
	{ "grpc/", "grpc", "libgrpc-dev" },
	{ "grpcpp/", "grpc++", "libgrpc++-dev" },
	{ "google/protobuf/", "protobuf", "libprotobuf-dev" },
	{ "catch2/", NULL, "catch2" },
	{ "doctest/", NULL, "doctest-dev" },
};

/* The C and C++ standard libraries, POSIX and glibc: nothing to install. */
static const char *const standard_headers[] = {
	"assert.h", "complex.h", "ctype.h", "errno.h", "fenv.h", "float.h",
	"inttypes.h", "iso646.h", "limits.h", "locale.h", "math.h", "setjmp.h",
	"signal.h", "stdalign.h", "stdarg.h", "stdatomic.h", "stdbit.h", "stdbool.h",
	"stdckdint.h", "stddef.h", "stdint.h", "stdio.h", "stdlib.h", "stdnoreturn.h",
	"string.h", "tgmath.h", "threads.h", "time.h", "uchar.h", "wchar.h",
	"wctype.h", "aio.h", "cpio.h", "dirent.h", "dlfcn.h", "fcntl.h", "fmtmsg.h",
	"fnmatch.h", "ftw.h", "glob.h", "grp.h", "iconv.h", "langinfo.h", "libgen.h",
	"monetary.h", "mqueue.h", "ndbm.h", "netdb.h", "nl_types.h", "poll.h",
	"pthread.h", "pwd.h", "regex.h", "sched.h", "search.h", "semaphore.h",
	"spawn.h", "strings.h", "stropts.h", "syslog.h", "tar.h", "termios.h",
	"trace.h", "ulimit.h", "unistd.h", "utime.h", "utmpx.h", "wordexp.h",
	"alloca.h", "argp.h", "byteswap.h", "crypt.h", "elf.h", "endian.h", "envz.h",
	"err.h", "error.h", "execinfo.h", "features.h", "fstab.h", "getopt.h",
	"ifaddrs.h", "lastlog.h", "link.h", "malloc.h", "mcheck.h", "memory.h",
	"mntent.h", "obstack.h", "paths.h", "printf.h", "pty.h", "resolv.h", "sgtty.h",
	"shadow.h", "stdio_ext.h", "sysexits.h", "termio.h", "thread_db.h", "ttyent.h",
	"ucontext.h", "utmp.h", "values.h", "wait.h", "algorithm", "any", "array",
	"atomic", "barrier", "bit", "bitset", "cassert", "ccomplex", "cctype",
	"cerrno", "cfenv", "cfloat", "charconv", "chrono", "cinttypes", "ciso646",
	"climits", "clocale", "cmath", "codecvt", "compare", "complex", "concepts",
	"condition_variable", "coroutine", "csetjmp", "csignal", "cstdarg", "cstdbool",
	"cstddef", "cstdint", "cstdio", "cstdlib", "cstring", "ctgmath", "ctime",
	"cuchar", "cwchar", "cwctype", "deque", "exception", "execution", "expected",
	"filesystem", "format", "forward_list", "fstream", "functional", "future",
	"initializer_list", "iomanip", "ios", "iosfwd", "iostream", "istream",
	"iterator", "latch", "limits", "list", "locale", "map", "memory",
	"memory_resource", "mutex", "new", "numbers", "numeric", "optional", "ostream",
	"print", "queue", "random", "ranges", "ratio", "regex", "scoped_allocator",
	"semaphore", "set", "shared_mutex", "source_location", "span", "sstream",
	"stack", "stacktrace", "stdexcept", "stop_token", "streambuf", "string",
	"string_view", "strstream", "syncstream", "system_error", "thread", "tuple",
	"type_traits", "typeindex", "typeinfo", "unordered_map", "unordered_set",
	"utility", "valarray", "variant", "vector", "version",
	NULL,
};

/* Folders of headers that come with libc or the kernel headers. */
static const char *const standard_prefixes[] = {
	"sys/", "linux/", "asm/", "asm-generic/", "bits/", "gnu/", "net/", "netinet/",
	"netinet6/", "arpa/", "netpacket/", "netax25/", "netrom/", "netrose/",
	"netipx/", "neteconet/", "netash/", "netatalk/", "scsi/", "rpc/", "rpcsvc/",
	"protocols/", "mtd/", "drm/", "misc/", "rdma/", "sound/", "video/", "xen/",
	"x86_64-linux-gnu/",
	NULL,
};

/* Python's standard library (3.11; modules starting with _ are private). */
static const char *const python_stdlib[] = {
	"__future__", "abc", "aifc", "antigravity", "argparse", "array", "ast",
	"asynchat", "asyncio", "asyncore", "atexit", "audioop", "base64", "bdb",
	"binascii", "bisect", "builtins", "bz2", "cProfile", "calendar", "cgi",
	"cgitb", "chunk", "cmath", "cmd", "code", "codecs", "codeop", "collections",
	"colorsys", "compileall", "concurrent", "configparser", "contextlib",
	"contextvars", "copy", "copyreg", "crypt", "csv", "ctypes", "curses",
	"dataclasses", "datetime", "dbm", "decimal", "difflib", "dis", "distutils",
	"doctest", "email", "encodings", "ensurepip", "enum", "errno", "faulthandler",
	"fcntl", "filecmp", "fileinput", "fnmatch", "fractions", "ftplib", "functools",
	"gc", "genericpath", "getopt", "getpass", "gettext", "glob", "graphlib", "grp",
	"gzip", "hashlib", "heapq", "hmac", "html", "http", "idlelib", "imaplib",
	"imghdr", "imp", "importlib", "inspect", "io", "ipaddress", "itertools",
	"json", "keyword", "lib2to3", "linecache", "locale", "logging", "lzma",
	"mailbox", "mailcap", "marshal", "math", "mimetypes", "mmap", "modulefinder",
	"msilib", "msvcrt", "multiprocessing", "netrc", "nis", "nntplib", "nt",
	"ntpath", "nturl2path", "numbers", "opcode", "operator", "optparse", "os",
	"ossaudiodev", "pathlib", "pdb", "pickle", "pickletools", "pipes", "pkgutil",
	"platform", "plistlib", "poplib", "posix", "posixpath", "pprint", "profile",
	"pstats", "pty", "pwd", "py_compile", "pyclbr", "pydoc", "pydoc_data",
	"pyexpat", "queue", "quopri", "random", "re", "readline", "reprlib",
	"resource", "rlcompleter", "runpy", "sched", "secrets", "select", "selectors",
	"shelve", "shlex", "shutil", "signal", "site", "smtpd", "smtplib", "sndhdr",
	"socket", "socketserver", "spwd", "sqlite3", "sre_compile", "sre_constants",
	"sre_parse", "ssl", "stat", "statistics", "string", "stringprep", "struct",
	"subprocess", "sunau", "symtable", "sys", "sysconfig", "syslog", "tabnanny",
	"tarfile", "telnetlib", "tempfile", "termios", "textwrap", "this", "threading",
	"time", "timeit", "tkinter", "token", "tokenize", "tomllib", "trace",
	"traceback", "tracemalloc", "tty", "turtle", "turtledemo", "types", "typing",
	"unicodedata", "unittest", "urllib", "uu", "uuid", "venv", "warnings", "wave",
	"weakref", "webbrowser", "winreg", "winsound", "wsgiref", "xdrlib", "xml",
	"xmlrpc", "zipapp", "zipfile", "zipimport", "zlib", "zoneinfo",

	NULL,
};

/* Import names that are installed from PyPI under another name. */
static const struct { const char *module; const char *pypi; } python_names[] = {
	{ "Bio", "biopython" },
	{ "Crypto", "pycryptodome" },
	{ "Cryptodome", "pycryptodomex" },
	{ "Levenshtein", "python-Levenshtein" },
	{ "MySQLdb", "mysqlclient" },
	{ "OpenSSL", "pyOpenSSL" },
	{ "PIL", "Pillow" },
	{ "Xlib", "python-xlib" },
	{ "attr", "attrs" },
	{ "bs4", "beautifulsoup4" },
	{ "consul", "python-consul" },
	{ "cv2", "opencv-python" },
	{ "dateutil", "python-dateutil" },
	{ "dns", "dnspython" },
	{ "docx", "python-docx" },
	{ "dotenv", "python-dotenv" },
	{ "engineio", "python-engineio" },
	{ "fitz", "PyMuPDF" },
	{ "flask", "Flask" },
	{ "gi", "PyGObject" },
	{ "git", "GitPython" },
	{ "google.protobuf", "protobuf" },
	{ "grpc", "grpcio" },
	{ "igraph", "python-igraph" },
	{ "jinja2", "Jinja2" },
	{ "jose", "python-jose" },
	{ "jwt", "PyJWT" },
	{ "kafka", "kafka-python" },
	{ "ldap", "python-ldap" },
	{ "lzo", "python-lzo" },
	{ "magic", "python-magic" },
	{ "markdown", "Markdown" },
	{ "markupsafe", "MarkupSafe" },
	{ "memcache", "python-memcached" },
	{ "mpl_toolkits", "matplotlib" },
	{ "multipart", "python-multipart" },
	{ "nacl", "PyNaCl" },
	{ "nmap", "python-nmap" },
	{ "paho", "paho-mqtt" },
	{ "pkg_resources", "setuptools" },
	{ "pptx", "python-pptx" },
	{ "psycopg2", "psycopg2" },
	{ "pydantic_settings", "pydantic-settings" },
	{ "requests_oauthlib", "requests-oauthlib" },
	{ "ruamel", "ruamel.yaml" },
	{ "sentry_sdk", "sentry-sdk" },
	{ "serial", "pyserial" },
	{ "skimage", "scikit-image" },
	{ "sklearn", "scikit-learn" },
	{ "slugify", "python-slugify" },
	{ "smbus", "smbus2" },
	{ "snappy", "python-snappy" },
	{ "socketio", "python-socketio" },
	{ "socks", "PySocks" },
	{ "speech_recognition", "SpeechRecognition" },
	{ "sqlalchemy", "SQLAlchemy" },
	{ "telegram", "python-telegram-bot" },
	{ "tree_sitter", "tree-sitter" },
	{ "typing_extensions", "typing-extensions" },
	{ "u2f", "python-u2flib-server" },
	{ "usb", "pyusb" },
	{ "websocket", "websocket-client" },
	{ "win32api", "pywin32" },
	{ "win32con", "pywin32" },
	{ "wx", "wxPython" },
	{ "yaml", "PyYAML" },
	{ "zmq", "pyzmq" },
};

/* Node's own modules, as the first segment of a specifier ("fs/promises"). */
static const char *const node_builtins[] = {
	"assert", "async_hooks", "buffer", "child_process", "cluster", "console",
	"constants", "crypto", "dgram", "diagnostics_channel", "dns", "domain",
	"events", "fs", "http", "http2", "https", "inspector", "module", "net", "os",
	"path", "perf_hooks", "process", "punycode", "querystring", "readline", "repl",
	"stream", "string_decoder", "sys", "test", "timers", "tls", "trace_events",
	"tty", "url", "util", "v8", "vm", "wasi", "worker_threads", "zlib",
	NULL,
};

bool
scan_header_standard(const char *header)
{
	const char *const *p;

	if (strv_contains((char *const *)standard_headers, header))
		return true;
	for (p = standard_prefixes; *p != NULL; p++)
		if (strncmp(header, *p, strlen(*p)) == 0)
			return true;
	return false;
}

bool
scan_header_source(const char *header, const char **pkgconfig, const char **debian)
{
	const struct header_source *h;
	size_t i, n;

	for (i = 0; i < sizeof(header_sources) / sizeof(*header_sources); i++) {
		h = &header_sources[i];
		n = strlen(h->header);
		if (h->header[n - 1] == '/' ? strncmp(header, h->header, n) == 0 :
		    strcmp(header, h->header) == 0) {
			*pkgconfig = h->pkgconfig;
			*debian = h->debian;
			return true;
		}
	}
	return false;
}

bool
scan_python_stdlib(const char *module)
{
	size_t n = strcspn(module, ".");
	char top[128];

	if (module[0] == '_' || n >= sizeof(top))
		return module[0] == '_';
	memcpy(top, module, n);
	top[n] = '\0';
	return strv_contains((char *const *)python_stdlib, top);
}

/*
 * The table's entries are top-level modules, or dotted paths for the
 * namespaces several distributions share ("google.protobuf").
 */
bool
scan_python_pypi_name(const char *module, char *out, size_t len)
{
	size_t i, n, top = strcspn(module, ".");

	for (i = 0; i < sizeof(python_names) / sizeof(*python_names); i++) {
		n = strlen(python_names[i].module);
		if (strncmp(python_names[i].module, module, n) == 0 &&
		    (module[n] == '\0' || module[n] == '.')) {
			snprintf(out, len, "%s", python_names[i].pypi);
			return true;
		}
	}
	snprintf(out, len, "%.*s", (int)top, module);
	return false;
}

bool
scan_node_builtin(const char *package)
{
	return strv_contains((char *const *)node_builtins, package);
}
