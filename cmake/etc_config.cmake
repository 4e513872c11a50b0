# Writes /etc/tend/tend.yaml as the package installs it: the hand-written
# head (contrib/etc/tend-head.yaml: what the file is, include: conf.d) and
# then the embedded default (src/config/default.yaml) without its opening
# comment (up to its first blank line), so that the installed file and
# `tend run` with no config watch the same things. The head's /etc/tend/
# becomes CONFDIR/ (/usr/local/etc/tend/ for a /usr/local install).
#   cmake -DHEAD=... -DDEFAULT=... -DCONFDIR=... -DOUTPUT=... -P etc_config.cmake
file(READ "${HEAD}" head)
string(REPLACE "/etc/tend/" "${CONFDIR}/" head "${head}")
file(READ "${DEFAULT}" default)
string(FIND "${default}" "\n\n" end)
if(end LESS 0)
  message(FATAL_ERROR "${DEFAULT}: expected its opening comment, then a blank line")
endif()
math(EXPR end "${end} + 2")
string(SUBSTRING "${default}" ${end} -1 body)
file(WRITE "${OUTPUT}" "${head}\n${body}")
