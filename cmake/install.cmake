# What `cmake --install` puts where, and what is generated for it: the one
# set of rules the Debian package (debian/rules: dh's cmake build system)
# installs through too, so that the two cannot differ.
#   bin/tend; man pages made from the binary's help and docs/config.md
#   (pandoc); bash, zsh and fish completions made from the binary's help;
#   the systemd unit and tmpfiles.d entry with this install's paths;
#   SYSCONFDIR/tend/tend.yaml (the embedded default, commented) and conf.d/;
#   the docs.
include(GNUInstallDirs)

option(TEND_MAN "Make and install the man pages (needs pandoc)" ON)

set(TEND_CONFDIR ${CMAKE_INSTALL_FULL_SYSCONFDIR}/tend)
set(TEND_STATEDIR ${CMAKE_INSTALL_FULL_LOCALSTATEDIR}/lib/tend)
set(TEND_BINDIR ${CMAKE_INSTALL_FULL_BINDIR})

# Where systemd looks for units and tmpfiles.d entries: systemd's own dirs
# for a /usr install (Debian's /lib/systemd/system), else under the prefix
# (/usr/local/lib/systemd/system is in systemd's search path too).
set(unitdir ${CMAKE_INSTALL_PREFIX}/lib/systemd/system)
set(tmpfilesdir ${CMAKE_INSTALL_PREFIX}/lib/tmpfiles.d)
if(CMAKE_INSTALL_PREFIX STREQUAL "/usr")
  pkg_get_variable(sd_unitdir systemd systemdsystemunitdir)
  pkg_get_variable(sd_tmpfilesdir systemd tmpfilesdir)
  if(sd_unitdir)
    set(unitdir ${sd_unitdir})
  endif()
  if(sd_tmpfilesdir)
    set(tmpfilesdir ${sd_tmpfilesdir})
  endif()
endif()
set(TEND_SYSTEMD_UNITDIR ${unitdir} CACHE PATH "Where tend.service is installed")
set(TEND_TMPFILESDIR ${tmpfilesdir} CACHE PATH "Where tend's tmpfiles.d entry goes")

configure_file(contrib/tend.service.in ${CMAKE_BINARY_DIR}/tend.service @ONLY)
configure_file(contrib/tend.tmpfiles.in ${CMAKE_BINARY_DIR}/tend.tmpfiles @ONLY)

set(ETC_CONFIG ${CMAKE_BINARY_DIR}/etc/tend.yaml)
add_custom_command(
  OUTPUT ${ETC_CONFIG}
  COMMAND ${CMAKE_COMMAND} -DHEAD=${CMAKE_SOURCE_DIR}/contrib/etc/tend-head.yaml
          -DDEFAULT=${CMAKE_SOURCE_DIR}/src/config/default.yaml -DCONFDIR=${TEND_CONFDIR}
          -DOUTPUT=${ETC_CONFIG}
          -P ${CMAKE_SOURCE_DIR}/cmake/etc_config.cmake
  DEPENDS contrib/etc/tend-head.yaml src/config/default.yaml cmake/etc_config.cmake
  COMMENT "Writing etc/tend.yaml")

set(COMPLETIONS ${CMAKE_BINARY_DIR}/completions/tend.bash
  ${CMAKE_BINARY_DIR}/completions/_tend ${CMAKE_BINARY_DIR}/completions/tend.fish)
add_custom_command(
  OUTPUT ${COMPLETIONS}
  COMMAND sh ${CMAKE_SOURCE_DIR}/completions/gen-completions.sh $<TARGET_FILE:tend>
          ${CMAKE_BINARY_DIR}/completions
  DEPENDS tend completions/gen-completions.sh
  COMMENT "Writing the shell completions from tend's help")
add_custom_target(tend_extras ALL DEPENDS ${ETC_CONFIG} ${COMPLETIONS})

find_program(PANDOC pandoc)
if(TEND_MAN AND NOT PANDOC)
  message(WARNING "pandoc not found: no man pages (scripts/install-deps.sh --package)")
endif()
if(TEND_MAN AND PANDOC)
  set(MAN1 ${CMAKE_BINARY_DIR}/man/tend.1)
  set(MAN5 ${CMAKE_BINARY_DIR}/man/tend.yaml.5)
  add_custom_command(
    OUTPUT ${MAN1}
    COMMAND sh ${CMAKE_SOURCE_DIR}/man/gen-tend-1.sh $<TARGET_FILE:tend>
            ${CMAKE_SOURCE_DIR}/man/tend.1.md ${PROJECT_VERSION} ${MAN1}
    DEPENDS tend man/gen-tend-1.sh man/tend.1.md
    COMMENT "Writing tend.1 from tend's help")
  add_custom_command(
    OUTPUT ${MAN5}
    COMMAND sh ${CMAKE_SOURCE_DIR}/man/gen-tend-yaml-5.sh ${CMAKE_SOURCE_DIR}/docs/config.md
            ${CMAKE_SOURCE_DIR}/man/links.lua ${PROJECT_VERSION} ${MAN5}
    DEPENDS man/gen-tend-yaml-5.sh man/links.lua docs/config.md
    COMMENT "Writing tend.yaml.5 from docs/config.md")
  add_custom_target(man ALL DEPENDS ${MAN1} ${MAN5})
  install(FILES ${MAN1} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
  install(FILES ${MAN5} DESTINATION ${CMAKE_INSTALL_MANDIR}/man5)
endif()

install(TARGETS tend RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(FILES ${CMAKE_BINARY_DIR}/tend.service DESTINATION ${TEND_SYSTEMD_UNITDIR})
install(FILES ${CMAKE_BINARY_DIR}/tend.tmpfiles DESTINATION ${TEND_TMPFILESDIR}
  RENAME tend.conf)
install(FILES ${ETC_CONFIG} DESTINATION ${TEND_CONFDIR})
install(FILES contrib/etc/conf.d/README DESTINATION ${TEND_CONFDIR}/conf.d)
install(FILES ${CMAKE_BINARY_DIR}/completions/tend.bash
  DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions RENAME tend)
install(FILES ${CMAKE_BINARY_DIR}/completions/_tend
  DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${CMAKE_BINARY_DIR}/completions/tend.fish
  DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
file(GLOB TEND_DOCS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/docs/*.md)
install(FILES ${TEND_DOCS} DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
