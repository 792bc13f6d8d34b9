# directory/local.mk - install the sample ARF-style directory under
# $(pkgdatadir)/directory, where pocdird finds it out of the box.

pocdirdirectorydir = $(pkgdatadir)/directory
dist_pocdirdirectory_DATA = directory/README.md

# Automake wants every installed file named; keep this list in step with
# directory/origins/ (one file per participant).
pocdirdirectoryoriginsdir = $(pkgdatadir)/directory/origins
dist_pocdirdirectoryorigins_DATA = \
	directory/origins/au.yaml \
	directory/origins/bd.yaml \
	directory/origins/bn.yaml \
	directory/origins/ca.yaml \
	directory/origins/cn.yaml \
	directory/origins/eu.yaml \
	directory/origins/id.yaml \
	directory/origins/in.yaml \
	directory/origins/jp.yaml \
	directory/origins/kh.yaml \
	directory/origins/kp.yaml \
	directory/origins/kr.yaml \
	directory/origins/la.yaml \
	directory/origins/lk.yaml \
	directory/origins/mm.yaml \
	directory/origins/mn.yaml \
	directory/origins/my.yaml \
	directory/origins/nz.yaml \
	directory/origins/pg.yaml \
	directory/origins/ph.yaml \
	directory/origins/pk.yaml \
	directory/origins/ru.yaml \
	directory/origins/sg.yaml \
	directory/origins/th.yaml \
	directory/origins/tl.yaml \
	directory/origins/us.yaml \
	directory/origins/vn.yaml

# The generator of large directories (tests and benchmarks) ships with the
# sample it imitates.
EXTRA_DIST += tests/gen-directory.py
