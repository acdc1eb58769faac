# written by mbshake report; run in this directory: gnuplot plots.gp

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f2-threads.png'
set title 'vm-20261206-sweep-threads: throughput against threads (median, min-max)'
set grid
set key outside right top
set xlabel 'threads'
set ylabel 'handshakes/s (all threads)'
set yrange [0:*]
set xtics 1
plot 'f2-threads.dat' index 0 using 1:2:3:4 with yerrorlines lw 2 title 'mbshake', \
     'f2-threads.dat' index 1 using 1:2:3:4 with yerrorlines lw 2 title 'openssl'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f2-threads.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f1-cdf-server_hello_flight.png'
set title 'vm-20261206-203504: latency CDF, server_hello_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f1-cdf-server_hello_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-server_hello_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-server_hello_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-server_hello_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-server_hello_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'f1-cdf-server_hello_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f1-cdf-server_hello_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f1-cdf-client_kx_flight.png'
set title 'vm-20261206-203504: latency CDF, client_kx_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f1-cdf-client_kx_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-client_kx_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-client_kx_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-client_kx_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-client_kx_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'f1-cdf-client_kx_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f1-cdf-client_kx_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f1-cdf-server_finished_flight.png'
set title 'vm-20261206-203504: latency CDF, server_finished_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f1-cdf-server_finished_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-server_finished_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-server_finished_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-server_finished_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-server_finished_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'f1-cdf-server_finished_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f1-cdf-server_finished_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f1-cdf-client_finished.png'
set title 'vm-20261206-203504: latency CDF, client_finished'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f1-cdf-client_finished.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-client_finished.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-client_finished.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-client_finished.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-client_finished.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'f1-cdf-client_finished.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f1-cdf-client_finished.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f1-cdf-handshake.png'
set title 'vm-20261206-203504: latency CDF, handshake'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f1-cdf-handshake.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-handshake.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'f1-cdf-handshake.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-handshake.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'f1-cdf-handshake.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'f1-cdf-handshake.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f1-cdf-handshake.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f2-cdf-server_hello_flight.png'
set title 'vm-20261206-sweep-threads: latency CDF, server_hello_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f2-cdf-server_hello_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake t=1', \
     'f2-cdf-server_hello_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl t=1', \
     'f2-cdf-server_hello_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake t=2', \
     'f2-cdf-server_hello_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl t=2'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f2-cdf-server_hello_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f2-cdf-client_kx_flight.png'
set title 'vm-20261206-sweep-threads: latency CDF, client_kx_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f2-cdf-client_kx_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake t=1', \
     'f2-cdf-client_kx_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl t=1', \
     'f2-cdf-client_kx_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake t=2', \
     'f2-cdf-client_kx_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl t=2'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f2-cdf-client_kx_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f2-cdf-server_finished_flight.png'
set title 'vm-20261206-sweep-threads: latency CDF, server_finished_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f2-cdf-server_finished_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake t=1', \
     'f2-cdf-server_finished_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl t=1', \
     'f2-cdf-server_finished_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake t=2', \
     'f2-cdf-server_finished_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl t=2'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f2-cdf-server_finished_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f2-cdf-client_finished.png'
set title 'vm-20261206-sweep-threads: latency CDF, client_finished'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f2-cdf-client_finished.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake t=1', \
     'f2-cdf-client_finished.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl t=1', \
     'f2-cdf-client_finished.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake t=2', \
     'f2-cdf-client_finished.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl t=2'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f2-cdf-client_finished.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f2-cdf-handshake.png'
set title 'vm-20261206-sweep-threads: latency CDF, handshake'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f2-cdf-handshake.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake t=1', \
     'f2-cdf-handshake.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl t=1', \
     'f2-cdf-handshake.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake t=2', \
     'f2-cdf-handshake.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl t=2'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f2-cdf-handshake.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f3-cdf-server_hello_flight.png'
set title 'vm-20261206-sweep-inflight: latency CDF, server_hello_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f3-cdf-server_hello_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake inflight=1', \
     'f3-cdf-server_hello_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl inflight=1', \
     'f3-cdf-server_hello_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake inflight=2', \
     'f3-cdf-server_hello_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl inflight=2', \
     'f3-cdf-server_hello_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake inflight=4', \
     'f3-cdf-server_hello_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl inflight=4', \
     'f3-cdf-server_hello_flight.dat' index 6 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 1 title 'mbshake inflight=8', \
     'f3-cdf-server_hello_flight.dat' index 7 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 2 title 'openssl inflight=8', \
     'f3-cdf-server_hello_flight.dat' index 8 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 1 title 'mbshake inflight=16', \
     'f3-cdf-server_hello_flight.dat' index 9 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 2 title 'openssl inflight=16', \
     'f3-cdf-server_hello_flight.dat' index 10 using 1:2 with lines lw 2 lc rgb '#17becf' dt 1 title 'mbshake inflight=32', \
     'f3-cdf-server_hello_flight.dat' index 11 using 1:2 with lines lw 2 lc rgb '#17becf' dt 2 title 'openssl inflight=32'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f3-cdf-server_hello_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f3-cdf-client_kx_flight.png'
set title 'vm-20261206-sweep-inflight: latency CDF, client_kx_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f3-cdf-client_kx_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake inflight=1', \
     'f3-cdf-client_kx_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl inflight=1', \
     'f3-cdf-client_kx_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake inflight=2', \
     'f3-cdf-client_kx_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl inflight=2', \
     'f3-cdf-client_kx_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake inflight=4', \
     'f3-cdf-client_kx_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl inflight=4', \
     'f3-cdf-client_kx_flight.dat' index 6 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 1 title 'mbshake inflight=8', \
     'f3-cdf-client_kx_flight.dat' index 7 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 2 title 'openssl inflight=8', \
     'f3-cdf-client_kx_flight.dat' index 8 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 1 title 'mbshake inflight=16', \
     'f3-cdf-client_kx_flight.dat' index 9 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 2 title 'openssl inflight=16', \
     'f3-cdf-client_kx_flight.dat' index 10 using 1:2 with lines lw 2 lc rgb '#17becf' dt 1 title 'mbshake inflight=32', \
     'f3-cdf-client_kx_flight.dat' index 11 using 1:2 with lines lw 2 lc rgb '#17becf' dt 2 title 'openssl inflight=32'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f3-cdf-client_kx_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f3-cdf-server_finished_flight.png'
set title 'vm-20261206-sweep-inflight: latency CDF, server_finished_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f3-cdf-server_finished_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake inflight=1', \
     'f3-cdf-server_finished_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl inflight=1', \
     'f3-cdf-server_finished_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake inflight=2', \
     'f3-cdf-server_finished_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl inflight=2', \
     'f3-cdf-server_finished_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake inflight=4', \
     'f3-cdf-server_finished_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl inflight=4', \
     'f3-cdf-server_finished_flight.dat' index 6 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 1 title 'mbshake inflight=8', \
     'f3-cdf-server_finished_flight.dat' index 7 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 2 title 'openssl inflight=8', \
     'f3-cdf-server_finished_flight.dat' index 8 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 1 title 'mbshake inflight=16', \
     'f3-cdf-server_finished_flight.dat' index 9 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 2 title 'openssl inflight=16', \
     'f3-cdf-server_finished_flight.dat' index 10 using 1:2 with lines lw 2 lc rgb '#17becf' dt 1 title 'mbshake inflight=32', \
     'f3-cdf-server_finished_flight.dat' index 11 using 1:2 with lines lw 2 lc rgb '#17becf' dt 2 title 'openssl inflight=32'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f3-cdf-server_finished_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f3-cdf-client_finished.png'
set title 'vm-20261206-sweep-inflight: latency CDF, client_finished'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f3-cdf-client_finished.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake inflight=1', \
     'f3-cdf-client_finished.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl inflight=1', \
     'f3-cdf-client_finished.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake inflight=2', \
     'f3-cdf-client_finished.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl inflight=2', \
     'f3-cdf-client_finished.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake inflight=4', \
     'f3-cdf-client_finished.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl inflight=4', \
     'f3-cdf-client_finished.dat' index 6 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 1 title 'mbshake inflight=8', \
     'f3-cdf-client_finished.dat' index 7 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 2 title 'openssl inflight=8', \
     'f3-cdf-client_finished.dat' index 8 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 1 title 'mbshake inflight=16', \
     'f3-cdf-client_finished.dat' index 9 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 2 title 'openssl inflight=16', \
     'f3-cdf-client_finished.dat' index 10 using 1:2 with lines lw 2 lc rgb '#17becf' dt 1 title 'mbshake inflight=32', \
     'f3-cdf-client_finished.dat' index 11 using 1:2 with lines lw 2 lc rgb '#17becf' dt 2 title 'openssl inflight=32'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f3-cdf-client_finished.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f3-cdf-handshake.png'
set title 'vm-20261206-sweep-inflight: latency CDF, handshake'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'f3-cdf-handshake.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake inflight=1', \
     'f3-cdf-handshake.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl inflight=1', \
     'f3-cdf-handshake.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake inflight=2', \
     'f3-cdf-handshake.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl inflight=2', \
     'f3-cdf-handshake.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake inflight=4', \
     'f3-cdf-handshake.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl inflight=4', \
     'f3-cdf-handshake.dat' index 6 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 1 title 'mbshake inflight=8', \
     'f3-cdf-handshake.dat' index 7 using 1:2 with lines lw 2 lc rgb '#9467bd' dt 2 title 'openssl inflight=8', \
     'f3-cdf-handshake.dat' index 8 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 1 title 'mbshake inflight=16', \
     'f3-cdf-handshake.dat' index 9 using 1:2 with lines lw 2 lc rgb '#ff7f0e' dt 2 title 'openssl inflight=16', \
     'f3-cdf-handshake.dat' index 10 using 1:2 with lines lw 2 lc rgb '#17becf' dt 1 title 'mbshake inflight=32', \
     'f3-cdf-handshake.dat' index 11 using 1:2 with lines lw 2 lc rgb '#17becf' dt 2 title 'openssl inflight=32'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f3-cdf-handshake.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'f3-inflight.png'
set title 'vm-20261206-sweep-inflight: throughput against p99 latency across inflight (labels: inflight)'
set grid
set key outside right top
set xlabel 'handshake p99 latency (us)'
set ylabel 'handshakes/s'
set logscale x
set yrange [0:*]
plot 'f3-inflight.dat' index 0 using 1:2 with linespoints lw 2 pt 7 title 'mbshake', 'f3-inflight.dat' index 0 using 1:2:3 with labels offset 0.8,0.8 notitle, \
     'f3-inflight.dat' index 1 using 1:2 with linespoints lw 2 pt 7 title 'openssl', 'f3-inflight.dat' index 1 using 1:2:3 with labels offset 0.8,0.8 notitle
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'f3-inflight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'machines.png'
set title 'hs/s per core by suite and group (best run), per machine'
set grid
set key outside right top
set datafile missing '-'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set ylabel 'handshakes/s per core'
set yrange [0:*]
set xtics rotate by -25 left
set key outside bottom center horizontal
set bmargin 10
plot 'machines.dat' using 2:xtic(1) title 'vm (AMD EPYC, 2 cores) mbshake', \
     'machines.dat' using 3 title 'vm (AMD EPYC, 2 cores) openssl', \
     'machines.dat' using 4 title 'vm (AMD EPYC, 2 cores) mbshake', \
     'machines.dat' using 5 title 'vm (AMD EPYC, 2 cores) openssl', \
     'machines.dat' using 6 title 'vm (AMD EPYC, 2 cores) mbshake', \
     'machines.dat' using 7 title 'vm (AMD EPYC, 2 cores) openssl'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'machines.svg'
replot
unset output
