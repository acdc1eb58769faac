# written by mbshake report; run in this directory: gnuplot plots.gp

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'cdf-server_hello_flight.png'
set title 'vm-20261130-005252: latency CDF, server_hello_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'cdf-server_hello_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-server_hello_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-server_hello_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-server_hello_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-server_hello_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'cdf-server_hello_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'cdf-server_hello_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'cdf-client_kx_flight.png'
set title 'vm-20261130-005252: latency CDF, client_kx_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'cdf-client_kx_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-client_kx_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-client_kx_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-client_kx_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-client_kx_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'cdf-client_kx_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'cdf-client_kx_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'cdf-server_finished_flight.png'
set title 'vm-20261130-005252: latency CDF, server_finished_flight'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'cdf-server_finished_flight.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-server_finished_flight.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-server_finished_flight.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-server_finished_flight.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-server_finished_flight.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'cdf-server_finished_flight.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'cdf-server_finished_flight.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'cdf-client_finished.png'
set title 'vm-20261130-005252: latency CDF, client_finished'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'cdf-client_finished.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-client_finished.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-client_finished.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-client_finished.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-client_finished.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'cdf-client_finished.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'cdf-client_finished.svg'
replot
unset output

reset
set terminal pngcairo size 960,600 noenhanced font ',10'
set output 'cdf-handshake.png'
set title 'vm-20261130-005252: latency CDF, handshake'
set grid
set key outside right top
set xlabel 'latency (us, log scale)'
set ylabel 'fraction of handshakes'
set logscale x
set yrange [0:1]
plot 'cdf-handshake.dat' index 0 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 1 title 'mbshake ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-handshake.dat' index 1 using 1:2 with lines lw 2 lc rgb '#1f77b4' dt 2 title 'openssl ECDHE-ECDSA-AES128-GCM-SHA256 x25519 ecdsa-p256', \
     'cdf-handshake.dat' index 2 using 1:2 with lines lw 2 lc rgb '#d62728' dt 1 title 'mbshake ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-handshake.dat' index 3 using 1:2 with lines lw 2 lc rgb '#d62728' dt 2 title 'openssl ECDHE-RSA-AES128-GCM-SHA256 x25519 rsa2048', \
     'cdf-handshake.dat' index 4 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 1 title 'mbshake AES128-GCM-SHA256 none rsa2048', \
     'cdf-handshake.dat' index 5 using 1:2 with lines lw 2 lc rgb '#2ca02c' dt 2 title 'openssl AES128-GCM-SHA256 none rsa2048'
set terminal svg size 960,600 noenhanced font 'sans,10'
set output 'cdf-handshake.svg'
replot
unset output
