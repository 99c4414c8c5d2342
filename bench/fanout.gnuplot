# Fan-out latency against subscribers, Liveline and nginx + nchan.
# bench/fanout.sh: gnuplot -e "datafile='...'; outfile='...'" bench/fanout.gnuplot
# Columns: n ll_p50 ll_p99 ll_completion nx_p50 nx_p99 nx_completion fl_p50 fl_p99
# fl_completion (ms; fl: bench/sse_floor.c, drawn when floor=1).
if (!exists("datafile")) datafile = 'build/bench/fanout.dat'
if (!exists("outfile")) outfile = 'bench/results/fanout.png'
if (!exists("floor")) floor = 0
set terminal pngcairo size 900,560 font 'DejaVu Sans,10'
set output outfile
set title 'Fan-out of one post: publish request to receipt, per subscriber'
set xlabel 'subscribers on one page'
set ylabel 'milliseconds'
set logscale x
set logscale y
set format x '%.0s%c'
set grid xtics ytics mytics
set key bottom right box opaque
set xrange [700:70000]
plot datafile using 1:2 with linespoints lw 2 pt 7 lc rgb '#1f77b4' title 'Liveline p50', \
     ''       using 1:3 with linespoints lw 2 pt 5 lc rgb '#1f77b4' dt 2 title 'Liveline p99', \
     ''       using 1:4 with linespoints lw 2 pt 9 lc rgb '#1f77b4' dt 3 title 'Liveline completion', \
     ''       using 1:5 with linespoints lw 2 pt 6 lc rgb '#d62728' title 'nchan p50', \
     ''       using 1:6 with linespoints lw 2 pt 4 lc rgb '#d62728' dt 2 title 'nchan p99', \
     ''       using 1:7 with linespoints lw 2 pt 8 lc rgb '#d62728' dt 3 title 'nchan completion', \
     ''       using 1:(floor ? $10 : NaN) with linespoints lw 2 pt 12 lc rgb '#7f7f7f' dt 3 title (floor ? 'floor completion (one send per subscriber)' : '')
