# Renders bench/run.sh's data file: requests/s and latency percentiles per scenario.
# Usage: gnuplot -e "datafile='x.dat'; outfile='x.png'; heading='...'" bench/plot.gp
# Data columns: scenario requests/s p50 p90 p99 max (latencies in ms)
set terminal pngcairo size 1200,500 font "sans,10"
set output outfile
set multiplot layout 1,2 title heading
set style data histograms
set style fill solid 0.8 border -1
set grid ytics
set key top left

set title "Throughput (wrk requests/s)"
set style histogram clustered gap 1
set yrange [0:*]
set ylabel "requests/s"
plot datafile using 2:xtic(1) title "requests/s" lc rgb "#4477aa"

set title "Latency percentiles (ms, log scale)"
set style histogram clustered gap 2
set logscale y
set yrange [0.1:*]
set ylabel "ms"
plot datafile using 3:xtic(1) title "p50" lc rgb "#66ccee", \
     '' using 4 title "p90" lc rgb "#228833", \
     '' using 5 title "p99" lc rgb "#ccbb44", \
     '' using 6 title "max" lc rgb "#ee6677"
unset multiplot
