/* iframe-worker 1.0.4 (MIT, Martin Donath): the prologue its shim wrote inline into the
   worker's iframe, as a file of its own so that no inline script is needed (see README.md).
   Runs in the iframe: the worker's messages go to the page, importScripts loads in order. */
postMessage=function(s,n){parent.postMessage(s,n||"*")};importScripts=function(...s){return s.reduce((n,e)=>n.then(()=>new Promise(r=>{let t=document.createElement("script");t.src=e,t.onload=r,document.body.appendChild(t)})),Promise.resolve())};(function(u){addEventListener("error",function(v){parent.dispatchEvent(new ErrorEvent("error",{filename:u,error:v.error}))})})(document.currentScript.dataset.worker);
