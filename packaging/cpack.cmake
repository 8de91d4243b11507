# Packages: `cpack -G DEB` and `cpack -G RPM` in the build directory (after building it) make
# weft_<version>_<arch>.deb and weft-<version>.<arch>.rpm with
#   /usr/bin/weft                        the binary
#   /usr/share/man/man1/weft.1.gz        the man page, generated from the binary's help texts
#   /etc/weft/weft.toml                  conf/weft.toml; conffile / %config(noreplace), 0640 root:weft
#   /etc/default/weft                    the service's environment (passwords); conffile, 0600 root
#   /lib/systemd/system/weft.service     (.deb) or /usr/lib/systemd/system/weft.service (.rpm)
# and maintainer scripts that create the `weft` system user and group. Dependencies are computed
# from the binary: dpkg-shlibdeps for the .deb, rpmbuild's automatic requires for the .rpm.
# packaging/ci-package-check.sh builds, installs and checks both.
#
# Included from the top-level CMakeLists.txt (after the weft target exists).

# --- The man page: hand-written roff with the help texts of this build's binary filled in ---------
find_package(Python3 REQUIRED COMPONENTS Interpreter)
set(WEFT_MAN_PAGE ${PROJECT_BINARY_DIR}/weft.1.gz)
add_custom_command(
  OUTPUT ${WEFT_MAN_PAGE}
  COMMAND Python3::Interpreter ${CMAKE_CURRENT_LIST_DIR}/man/gen_man.py
          --weft $<TARGET_FILE:weft> --template ${CMAKE_CURRENT_LIST_DIR}/man/weft.1.in
          --version ${PROJECT_VERSION} --output ${WEFT_MAN_PAGE}
  DEPENDS weft ${CMAKE_CURRENT_LIST_DIR}/man/gen_man.py ${CMAKE_CURRENT_LIST_DIR}/man/weft.1.in
  COMMENT "Generating weft.1.gz from weft --help and each command's --help"
  VERBATIM)
add_custom_target(weft_man ALL DEPENDS ${WEFT_MAN_PAGE})
install(FILES ${WEFT_MAN_PAGE} DESTINATION share/man/man1)

# --- Files only the packages install ----------------------------------------------------------
# A plain `cmake --install` installs the binary and the man page only: it must not overwrite an
# operator's /etc/weft/weft.toml or drop a unit into /lib. cpack sets WEFT_PACKAGE_FORMAT (through
# CPACK_CUSTOM_INSTALL_VARIABLES, see weft_cpack_options.cmake.in) to deb or rpm; the unit's
# directory differs between the two.
set(WEFT_PACKAGING_DIR ${CMAKE_CURRENT_LIST_DIR})
set(WEFT_SOURCE_DIR ${PROJECT_SOURCE_DIR})
install(CODE "
  set(weft_packaging_dir \"${WEFT_PACKAGING_DIR}\")
  set(weft_source_dir \"${WEFT_SOURCE_DIR}\")
")
install(CODE [[
  if(NOT DEFINED WEFT_PACKAGE_FORMAT)
    message(STATUS "weft: /etc/weft/weft.toml, /etc/default/weft and weft.service are installed by the .deb/.rpm only (cpack)")
  else()
    if(WEFT_PACKAGE_FORMAT STREQUAL "rpm")
      set(unit_dir /usr/lib/systemd/system)
    else()
      set(unit_dir /lib/systemd/system)
    endif()
    file(INSTALL DESTINATION /etc/weft TYPE FILE FILES "${weft_source_dir}/conf/weft.toml"
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ)
    file(INSTALL DESTINATION /etc/default TYPE FILE FILES "${weft_packaging_dir}/weft.default"
         RENAME weft PERMISSIONS OWNER_READ OWNER_WRITE)
    file(INSTALL DESTINATION ${unit_dir} TYPE FILE FILES "${weft_packaging_dir}/weft.service"
         PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
  endif()
]])

# --- Both packages --------------------------------------------------------------------------------
set(CPACK_PACKAGE_NAME weft)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "weft maintainers")
set(CPACK_PACKAGE_CONTACT "weft maintainers <maintainers@users.noreply.h-seed-04a62037.example>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "wide documents and aggregates from MySQL, MariaDB and PostgreSQL change streams")
set(CPACK_PACKAGE_DESCRIPTION
    "weft reads the binlog of a MySQL or MariaDB server as a replica and keeps wide documents
(a row with the related rows it embeds) current in MongoDB, an SQLite file or JSON lines.
One binary, one TOML file (/etc/weft/weft.toml), run as the systemd service weft.service.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_PROJECT_CONFIG_FILE ${PROJECT_BINARY_DIR}/weft_cpack_options.cmake)
configure_file(${CMAKE_CURRENT_LIST_DIR}/weft_cpack_options.cmake.in ${CPACK_PROJECT_CONFIG_FILE} @ONLY)

# --- .deb ---------------------------------------------------------------------------------------
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION database)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser: postinst creates the weft user with it. The shared libraries come from dpkg-shlibdeps.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
    ${CMAKE_CURRENT_LIST_DIR}/deb/conffiles ${CMAKE_CURRENT_LIST_DIR}/deb/postinst
    ${CMAKE_CURRENT_LIST_DIR}/deb/prerm ${CMAKE_CURRENT_LIST_DIR}/deb/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)

# --- .rpm ---------------------------------------------------------------------------------------
set(CPACK_RPM_FILE_NAME RPM-DEFAULT)
set(CPACK_RPM_PACKAGE_GROUP "Applications/Databases")
# The project has not chosen a license yet; rpmbuild needs the tag.
set(CPACK_RPM_PACKAGE_LICENSE "unknown")
set(CPACK_RPM_PACKAGE_AUTOREQ ON)
# Installs into fixed paths (/etc, /usr/lib/systemd): not relocatable.
set(CPACK_PACKAGE_RELOCATABLE OFF)
# No /usr/lib/.build-id links: the .rpm lists the same files as the .deb (ci-package-check.sh).
set(CPACK_RPM_SPEC_MORE_DEFINE "%define _build_id_links none")
set(CPACK_RPM_PACKAGE_REQUIRES_PRE "shadow-utils")
set(CPACK_RPM_PRE_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/pre.sh)
set(CPACK_RPM_POST_INSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/post.sh)
set(CPACK_RPM_PRE_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/preun.sh)
set(CPACK_RPM_POST_UNINSTALL_SCRIPT_FILE ${CMAKE_CURRENT_LIST_DIR}/rpm/postun.sh)
# %pre has created the weft group by the time these files are laid down.
set(CPACK_RPM_USER_FILELIST
    "%config(noreplace) %attr(0640,root,weft) /etc/weft/weft.toml"
    "%config(noreplace) %attr(0600,root,root) /etc/default/weft")
# Directories other packages own (systemd, filesystem, man-db): the package must not claim them.
set(CPACK_RPM_EXCLUDE_FROM_AUTO_FILELIST_ADDITION
    /etc/default /usr/lib/systemd /usr/lib/systemd/system /usr/share/man /usr/share/man/man1)

include(CPack)
